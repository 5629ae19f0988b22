/**
 * Seams between the three parts of the drill cluster, so that they can be built side by side:
 *  - API machinery (`store.ts`, `server.ts`, `resources.ts`, `discovery.ts`, `tables.ts`,
 *    `patch.ts`, `cluster.ts`): the object store, the HTTP/JSON protocol, watch, auth.
 *  - the simulated world (`world/`): seed objects, clock, controllers, metrics, fault scenarios.
 *  - pod streams (`streams/`): logs, exec, port-forward, and the PostgreSQL / Redis backends.
 * Nothing here imports Electron; everything runs in plain Node.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** `v1/pods`, `apps/v1/deployments`, `cert-manager.io/v1/certificates`: group/version/plural. */
export type ResourceKey = string;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }>;
  generateName?: string;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceKey;
  object: KubeObject;
}

/**
 * The cluster's state. Objects handed out are copies: mutate them and write them back.
 * `create` fills uid, resourceVersion, creationTimestamp, generation (1) and, for
 * `generateName`, the name. `update` bumps resourceVersion, and generation when anything but
 * `status` / `metadata` changed. Errors are `StoreError`s carrying the Kubernetes reason.
 */
export interface ObjectStore {
  get(resource: ResourceKey, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: ResourceKey, namespace?: string): KubeObject[];
  create(resource: ResourceKey, object: KubeObject): KubeObject;
  update(resource: ResourceKey, object: KubeObject): KubeObject;
  /** Read-modify-write; `fn` may return false to skip the write. Returns the stored object. */
  mutate(
    resource: ResourceKey,
    namespace: string | undefined,
    name: string,
    fn: (object: KubeObject) => void | false,
  ): KubeObject;
  delete(resource: ResourceKey, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Live changes from now on (controllers use this; HTTP watch replay is the server's job). */
  subscribe(listener: (event: StoreEvent) => void): () => void;
  /** The newest resourceVersion handed out. */
  readonly resourceVersion: number;
}

export type StoreErrorReason = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest';

export class StoreError extends Error {
  constructor(
    readonly reason: StoreErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** Simulated time: real time by default, `speed` times faster for tests. Epoch milliseconds. */
export interface DrillClock {
  now(): number;
  readonly speed: number;
  /** Runs `fn` after `simulatedMs` of simulated time. Returns a cancel function. */
  after(simulatedMs: number, fn: () => void): () => void;
  /** Runs `fn` every `simulatedMs` of simulated time. Returns a cancel function. */
  every(simulatedMs: number, fn: () => void): () => void;
}

/** What the simulated application in a pod is doing now; drives its log lines and exec answers. */
export interface LogProfile {
  /** Request log lines per (real) second the app writes when followed; configurable up to 200k/s. */
  linesPerSecond: number;
  /** Fraction of requests answered 5xx (0..1). */
  errorRatio: number;
  /** Request latency in milliseconds. */
  latencyMs: { p50: number; p95: number };
  /** Fraction of requests that are authentication failures (401). */
  authFailureRatio: number;
  memoryMiB: number;
  memoryLimitMiB: number;
  /** The app's database connection pool. */
  dbPool: { inUse: number; size: number; exhausted: boolean };
  /** Bad deploy: the container exits during start-up with a traceback. */
  crashLooping: boolean;
}

export { SCENARIO_NAMES, type ScenarioName } from './protocol';
import type { ScenarioEnding, ScenarioName } from './protocol';

/** A pod as the stream handlers see it. Built fresh per request by the world. */
export interface DrillPodRef {
  namespace: string;
  name: string;
  /** The `app` label (`codesign-api`, `postgres`, `redis`, `celery-worker`, `backup`). */
  app: string;
  containers: Array<{
    name: string;
    image: string;
    env: Record<string, string>;
    ports: number[];
    /** ConfigMap and Secret volumes mounted in the container: their files as the kubelet writes them. */
    mounts?: Array<{ path: string; readOnly: boolean; files: Record<string, string> }>;
  }>;
  phase: string;
  /** `status.podIP`, when the pod has one. */
  podIp?: string;
  restartCount: number;
  /** Start of the current container instance (epoch ms, simulated clock). */
  startedAt: number;
  /** Set when the container restarted: how the previous instance ended. */
  lastTermination?: { reason: string; exitCode: number; finishedAt: number };
  logProfile(): LogProfile;
}

export interface DrillBackendAddress {
  host: string;
  port: number;
}

/** Implemented by `streams/`; the server routes pod subresources to it after auth and lookup. */
export interface PodStreamHandler {
  /** `GET .../pods/{name}/log` with follow, tailLines, sinceSeconds, timestamps, previous, container. */
  serveLog(req: IncomingMessage, res: ServerResponse, pod: DrillPodRef, query: URLSearchParams): void;
  /** `exec`, `attach`, `portforward` upgrades: WebSocket channel protocols and SPDY/3.1. */
  handleUpgrade(
    subresource: 'exec' | 'attach' | 'portforward',
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    pod: DrillPodRef,
    query: URLSearchParams,
  ): void;
  /**
   * The API server's proxy (`pods|services/<name>:<port>/proxy/<path>`): answers as the app in
   * `pod` listening on `port` would; false when nothing listens there.
   */
  serveApp?(req: IncomingMessage, res: ServerResponse, pod: DrillPodRef, port: number, path: string): boolean;
  close(): Promise<void>;
}

/** Implemented by `world/`: everything simulated that is not API machinery. */
export interface DrillWorld {
  readonly clock: DrillClock;
  /** Seeds the store (namespaces, deployments, pods, ...) and starts the controllers. */
  start(): Promise<void>;
  /** The pod view the stream handlers need; undefined when no such pod. */
  podRef(namespace: string, name: string): DrillPodRef | undefined;
  /** `metrics.k8s.io/v1beta1` objects: NodeMetrics and PodMetrics, computed from the simulation. */
  nodeMetrics(): KubeObject[];
  podMetrics(namespace?: string): KubeObject[];
  /** Prometheus text exposition (0.0.4) of the simulated application. */
  prometheusText(): string;
  /** True when the world plays the kubelets' part of graceful deletion (removes pods when their grace period ends). */
  readonly terminatesPods?: boolean;
  /** `pg_terminate_backend` on idle sessions: what the runbook's "kill idle connections" does. Answers how many. */
  terminateIdleConnections?(): number;
  /** db-connection-exhaustion with a real PostgreSQL: the leak is `total` real sessions (see backends/idle-connection-holder.ts). */
  holdRealConnections?(total: number): void;
  leakedConnectionsByPod?(): ReadonlyMap<string, number>;
  releaseLeakedConnection?(podName: string): void;
  recordTerminationRun?(count: number): void;
  readonly scenarios: {
    inject(name: ScenarioName): void;
    clear(name: ScenarioName): void;
    active(): ScenarioName[];
    /** When each active scenario was switched on (simulated epoch ms). */
    since?(name: ScenarioName): number | undefined;
    /** Scenarios that ended themselves because their fault is gone, and by which change. */
    endings?(): ReadonlyMap<ScenarioName, ScenarioEnding>;
    /** Called after any scenario is switched on, cleared or ends itself. */
    onDidChange?(listener: () => void): () => void;
  };
  stop(): Promise<void>;
}
