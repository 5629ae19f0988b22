/**
 * The simulated world behind the drill cluster: seeds the store, runs the controllers off store
 * changes and clock ticks, and answers metrics, Prometheus text, pod views and fault scenarios.
 */
import { RESOURCE_KEYS } from '../resources';
import {
  StoreError,
  type DrillPodRef,
  type DrillWorld,
  type KubeObject,
  type ObjectStore,
  type ScenarioName,
  type StoreEvent,
} from '../types';
import { API_APP, API_NAMESPACE, AppModel } from './app-model';
import { reconcileDisruptionBudgets } from './disruption-budgets';
import { reconcileCordonTaints } from './node-cordon';
import { CertificateController } from './certificate-controller';
import type { StoppableDrillClock } from './clock';
import { readObjects, type ControllerContext } from './controller-context';
import { DeploymentController } from './deployment-controller';
import { EndpointsController } from './endpoints-controller';
import { EventRecorder } from './event-recorder';
import { HpaController } from './hpa-controller';
import { CronJobController, JobController } from './job-controllers';
import { buildPodRef } from './pod-ref';
import { PodLifecycle } from './pod-lifecycle';
import type { PodSim } from './pod-sim';
import { PrometheusExporter } from './prometheus-exposition';
import { ReplicaSetController } from './replicaset-controller';
import { nodeMetricsOf, podMetricsOf } from './resource-metrics';
import { API_IMAGE, codesignCertificate, NODE_SLOTS, seedWorld } from './seed';
import { StatefulSetController, VolumeProvisioner } from './statefulset-controller';
import { controllerOf, type PodSpec } from './workloads';
import { ScenarioEndings } from './scenario-endings';

const API_HPA = 'codesign-api-hpa';
/** How long (simulated) a deleted namespace shows Terminating while its content is removed. */
const NAMESPACE_CLEANUP_MS = 30_000;
/** Set on the HPA while high-latency caps it: `<max before>-><max while capped>`. */
const HPA_CAP_ANNOTATION = 'drill.incident-cockpit/high-latency-cap';

/** The image the bad-deploy scenario rolls out. */
export const BAD_IMAGE = 'codesign-playground:v2.1.0-bad';
const TICK_MS = 1_000;
const SLOW_TICK_MS = 15_000;
/** Days left on the certificate in the expiring-certificate scenario. */
const EXPIRING_DAYS = 5;

type ReconcileKind = 'deployment' | 'replicaset' | 'statefulset' | 'job' | 'cronjob' | 'certificate' | 'claim' | 'hpa' | 'endpoints';

/** What `exportScenarios` saves: names are checked when loaded. */
export interface SavedScenarios {
  active: Array<{ name: ScenarioName; since: number }>;
  endings: Array<{ name: ScenarioName; at: number; change: string }>;
  knownGoodImages: string[];
}

export interface SimulatedWorldOptions {
  logLinesPerSecond?: number;
}

export class SimulatedWorld implements DrillWorld {
  readonly scenarios: DrillWorld['scenarios'];
  readonly terminatesPods = true;
  /** The last error a controller hit (they keep running); for tests and diagnostics. */
  lastControllerError: unknown;

  private readonly events: EventRecorder;
  private readonly app: AppModel;
  private readonly lifecycle: PodLifecycle;
  private readonly exporter: PrometheusExporter;
  private readonly ownedPods = new Map<string, Set<string>>();
  private readonly podOwner = new Map<string, string>();
  private readonly queue = new Set<string>();
  private draining = false;
  private drainScheduled = false;
  private unsubscribe: (() => void) | undefined;
  private started = false;
  private readonly ctx: ControllerContext;
  private readonly deployments: DeploymentController;
  private readonly replicaSets: ReplicaSetController;
  private readonly statefulSets: StatefulSetController;
  private readonly volumes: VolumeProvisioner;
  private readonly jobs: JobController;
  private readonly cronJobs: CronJobController;
  private readonly certificates: CertificateController;
  private readonly hpas: HpaController;
  private readonly endpoints: EndpointsController;
  private readonly linesPerSecond: number;
  private readonly endings: ScenarioEndings;
  private readonly scenarioListeners = new Set<() => void>();
  private terminationRuns = 0;
  /** Pods waiting for their grace period to end (`uid@deadline`). */
  private readonly removals = new Set<string>();
  private lastTerminated = 0;

  constructor(
    private readonly store: ObjectStore,
    readonly clock: StoppableDrillClock,
    options: SimulatedWorldOptions = {},
  ) {
    this.linesPerSecond = options.logLinesPerSecond ?? 20;
    this.events = new EventRecorder(store, clock);
    this.app = new AppModel(clock, () => this.lifecycle.pods.values());
    this.lifecycle = new PodLifecycle(store, clock, this.app, this.events, () => this.nodeSlots());
    this.exporter = new PrometheusExporter(clock, this.app, () => this.lifecycle.pods.values(), () => this.nodeSlots(), store);
    this.ctx = { store, clock, events: this.events, podsOwnedBy: (uid) => this.podsOwnedBy(uid) };
    this.deployments = new DeploymentController(this.ctx);
    this.replicaSets = new ReplicaSetController(this.ctx);
    this.statefulSets = new StatefulSetController(this.ctx);
    this.volumes = new VolumeProvisioner(this.ctx);
    this.jobs = new JobController(this.ctx);
    this.cronJobs = new CronJobController(this.ctx);
    this.certificates = new CertificateController(this.ctx);
    this.hpas = new HpaController(this.ctx, this.app, () => this.lifecycle.pods.values());
    this.endpoints = new EndpointsController(this.ctx);
    this.endings = new ScenarioEndings({
      store,
      app: this.app,
      pods: () => this.lifecycle.pods.values(),
      now: () => this.clock.now(),
      terminations: () => ({ runs: this.terminationRuns, lastCount: this.lastTerminated }),
    });
    this.scenarios = {
      inject: (name) => this.inject(name),
      clear: (name) => this.clear(name),
      active: () => [...this.app.active.keys()],
      since: (name) => this.app.active.get(name),
      endings: () => this.endings.ended,
      onDidChange: (listener) => {
        this.scenarioListeners.add(listener);
        return () => this.scenarioListeners.delete(listener);
      },
    };
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.unsubscribe = this.store.subscribe((event) => this.onStoreEvent(event));
    // A store restored from an earlier run already holds the cluster; only a fresh one is seeded.
    if (this.store.get(RESOURCE_KEYS.namespaces, undefined, API_NAMESPACE)) this.certificates.want(codesignCertificate());
    else this.certificates.want(seedWorld(this.store, () => this.clock.now()).certificate);
    for (const pod of this.store.list(RESOURCE_KEYS.pods)) {
      this.indexPod(pod);
      if (pod.metadata.deletionTimestamp) this.scheduleRemoval(pod);
    }
    this.enqueueAll();
    this.drain();
    this.clock.every(TICK_MS, () => this.tick());
    this.clock.every(SLOW_TICK_MS, () => this.slowTick());
    this.slowTick();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.clock.stop();
    this.queue.clear();
  }

  podRef(namespace: string, name: string): DrillPodRef | undefined {
    const pod = this.store.get(RESOURCE_KEYS.pods, namespace, name);
    if (!pod) return undefined;
    const sim = this.lifecycle.find(namespace, name) ?? this.lifecycle.track(pod);
    return buildPodRef(this.store, pod, sim, this.clock.now(), () => this.app.profile(sim, this.linesPerSecond));
  }

  nodeMetrics(): KubeObject[] {
    return nodeMetricsOf(this.app, this.nodeSlots(), this.lifecycle.pods.values(), this.clock.now());
  }

  podMetrics(namespace?: string): KubeObject[] {
    return podMetricsOf(this.app, this.lifecycle.pods.values(), this.clock.now(), namespace);
  }

  prometheusText(): string {
    return this.exporter.text();
  }

  /** The world's private view of a pod (for tests and the streams' richer questions). */
  podSim(namespace: string, name: string): PodSim | undefined {
    return this.lifecycle.find(namespace, name);
  }

  /** The app model the metrics come from (tests read the intended values off it). */
  get model(): AppModel {
    return this.app;
  }

  /**
   * `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle' ...` run in
   * postgres-0: ends the connections db-connection-exhaustion leaked. For the exec simulation.
   */
  terminateIdleConnections(): number {
    const terminated = this.app.terminateIdleConnections();
    this.terminationRuns++;
    this.lastTerminated = terminated;
    this.lifecycle.wakeAll();
    return terminated;
  }

  /** A real PostgreSQL holds the leak: db-connection-exhaustion leaks exactly `total` sessions. */
  holdRealConnections(total: number): void {
    this.app.heldConnections = total;
  }

  /** Leaked connections per codesign-api pod that should be open as real sessions now. */
  leakedConnectionsByPod(): Map<string, number> {
    const wanted = new Map<string, number>();
    if (!this.app.active.has('db-connection-exhaustion')) return wanted;
    for (const pod of this.lifecycle.pods.values()) {
      if (pod.phase === 'Running' && pod.leakedConnections > 0) wanted.set(pod.name, pod.leakedConnections);
    }
    return wanted;
  }

  /** The real server ended one of `podName`'s leaked sessions. */
  releaseLeakedConnection(podName: string): void {
    for (const pod of this.lifecycle.pods.values()) {
      if (pod.name === podName && pod.app === API_APP) this.app.releaseLeakedConnection(pod);
    }
  }

  /** One `pg_terminate_backend` run on the real server ended `count` leaked sessions. */
  recordTerminationRun(count: number): void {
    this.terminationRuns++;
    this.lastTerminated = count;
    this.lifecycle.wakeAll();
    this.tick();
  }

  /** The scenario state a restart must keep (the objects are the store's). */
  exportScenarios(): SavedScenarios {
    return {
      active: [...this.app.active.entries()].map(([name, since]) => ({ name, since })),
      endings: [...this.endings.ended.entries()].map(([name, ending]) => ({ name, ...ending })),
      knownGoodImages: [...this.app.knownGoodImages],
    };
  }

  /**
   * Puts saved scenarios back after a restart over a restored store: each active one is struck
   * again (its fault re-applied to the pods that run now) and keeps its original start time.
   */
  importScenarios(saved: SavedScenarios): void {
    for (const { name, ...ending } of saved.endings) this.endings.ended.set(name, ending);
    for (const { name, since } of saved.active) {
      this.inject(name);
      this.app.active.set(name, since);
    }
    if (saved.knownGoodImages.length > 0) this.app.knownGoodImages = new Set(saved.knownGoodImages);
  }

  /** Runs pending reconciles now (tests with a manual clock call this between steps). */
  settle(): void {
    this.drain();
  }

  private inject(name: ScenarioName): void {
    if (this.app.active.has(name)) return;
    const now = this.clock.now();
    this.app.active.set(name, now);
    switch (name) {
      case 'error-spike':
        for (const pod of this.app.apiPods()) if (pod.phase === 'Running') pod.affected.add('error-spike');
        break;
      case 'memory-leak':
        this.app.startLeak();
        break;
      case 'db-connection-exhaustion':
        this.app.leakConnections();
        break;
      case 'bad-deploy':
        this.rollOutBadImage();
        break;
      case 'expiring-certificate':
        this.certificates.markExpiring(API_NAMESPACE, 'codesign-tls', EXPIRING_DAYS);
        break;
      case 'high-latency':
        this.capAutoscaler();
        break;
      case 'auth-failure-burst':
        break;
    }
    this.endings.started(name);
    this.lifecycle.wakeAll();
    this.tick();
    this.scenariosChanged();
  }

  private clear(name: ScenarioName): void {
    if (!this.app.active.has(name)) return;
    this.app.active.delete(name);
    for (const pod of this.lifecycle.pods.values()) {
      pod.affected.delete(name);
      if (name === 'db-connection-exhaustion') pod.leakedConnections = 0;
      if (name === 'memory-leak') {
        for (const c of pod.containers) {
          c.leakSince = undefined;
          c.leakOffsetMiB = 0;
        }
      }
    }
    if (name === 'bad-deploy') this.app.knownGoodImages.clear();
    if (name === 'high-latency') this.uncapAutoscaler();
    if (name === 'expiring-certificate' && !this.endings.ended.has(name)) this.certificates.renew(API_NAMESPACE, 'codesign-tls');
    this.endings.cleared(name);
    this.lifecycle.wakeAll();
    this.tick();
    this.scenariosChanged();
  }

  private scenariosChanged(): void {
    for (const listener of [...this.scenarioListeners]) {
      try {
        listener();
      } catch (error) {
        this.lastControllerError = error;
      }
    }
  }

  /**
   * A pod being deleted gracefully (`deletionTimestamp` set by the API server) is Terminating
   * until its grace period ends on the drill's clock; then the kubelet's part is done and it goes,
   * unless finalizers still hold it (the store removes it when the last one is taken off).
   */
  private scheduleRemoval(pod: KubeObject): void {
    const uid = pod.metadata.uid ?? '';
    const deadline = Date.parse(pod.metadata.deletionTimestamp as string);
    const key = `${uid}@${deadline}`;
    if (this.removals.has(key)) return;
    this.removals.add(key);
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name;
    this.clock.after(Math.max(0, deadline - this.clock.now()), () => {
      this.removals.delete(key);
      const current = this.store.get(RESOURCE_KEYS.pods, namespace, name);
      if (!current || current.metadata.uid !== uid) return;
      if (((current.metadata.finalizers as string[] | undefined) ?? []).length > 0) return;
      this.store.delete(RESOURCE_KEYS.pods, namespace, name);
    });
  }

  /**
   * A namespace being deleted is Terminating for a moment (the namespace controller deleting
   * what is in it), then goes with its content, unless finalizers in metadata still hold it.
   */
  private finishNamespace(namespace: KubeObject): void {
    const name = namespace.metadata.name;
    const uid = namespace.metadata.uid;
    const key = `namespace:${uid}`;
    if (this.removals.has(key)) return;
    this.removals.add(key);
    this.clock.after(NAMESPACE_CLEANUP_MS, () => {
      this.removals.delete(key);
      const current = this.store.get(RESOURCE_KEYS.namespaces, undefined, name);
      if (!current || current.metadata.uid !== uid) return;
      if (((current.metadata.finalizers as string[] | undefined) ?? []).length > 0) return;
      this.store.delete(RESOURCE_KEYS.namespaces, undefined, name);
    });
  }

  /** Ends the scenarios whose fault the cluster no longer shows (see ScenarioEndings). */
  private endFixedScenarios(): void {
    if (this.app.active.size === 0) return;
    for (const { name } of this.endings.check([...this.app.active.keys()])) this.clear(name);
  }

  /**
   * high-latency: the surge meets an HPA whose maxReplicas someone set to the current count, so
   * autoscaling cannot absorb it (`ScalingLimited: TooManyReplicas`). The responder raises the
   * max (or min) so more pods run; a bare `kubectl scale` is undone by the HPA, as it would be.
   */
  private capAutoscaler(): void {
    const hpa = this.store.get(RESOURCE_KEYS.horizontalpodautoscalers, API_NAMESPACE, API_HPA);
    const deployment = this.store.get(RESOURCE_KEYS.deployments, API_NAMESPACE, API_APP);
    if (!hpa || !deployment) return;
    const replicas = (deployment.spec as { replicas?: number }).replicas ?? 1;
    this.store.mutate(RESOURCE_KEYS.horizontalpodautoscalers, API_NAMESPACE, API_HPA, (draft) => {
      const spec = draft.spec as { maxReplicas: number; minReplicas?: number };
      if (spec.maxReplicas <= replicas) return false;
      draft.metadata.annotations = { ...(draft.metadata.annotations ?? {}), [HPA_CAP_ANNOTATION]: `${spec.maxReplicas}->${replicas}` };
      spec.maxReplicas = Math.max(replicas, spec.minReplicas ?? 1);
    });
  }

  /** Undoes `capAutoscaler` when the scenario is switched off, unless the responder changed the max since. */
  private uncapAutoscaler(): void {
    const hpa = this.store.get(RESOURCE_KEYS.horizontalpodautoscalers, API_NAMESPACE, API_HPA);
    const cap = hpa?.metadata.annotations?.[HPA_CAP_ANNOTATION];
    if (!hpa || !cap) return;
    const [before, capped] = cap.split('->').map(Number) as [number, number];
    this.store.mutate(RESOURCE_KEYS.horizontalpodautoscalers, API_NAMESPACE, API_HPA, (draft) => {
      const spec = draft.spec as { maxReplicas: number };
      if (spec.maxReplicas === capped) spec.maxReplicas = before;
      const annotations = { ...(draft.metadata.annotations ?? {}) };
      delete annotations[HPA_CAP_ANNOTATION];
      draft.metadata.annotations = annotations;
    });
  }

  /** bad-deploy: remembers the images that worked, then `kubectl set image` to the bad one. */
  private rollOutBadImage(): void {
    const good = new Set<string>([API_IMAGE]);
    const collect = (template: unknown): void => {
      for (const c of ((template as { spec?: PodSpec } | undefined)?.spec?.containers ?? [])) if (c.image) good.add(c.image);
    };
    const deployment = this.store.get(RESOURCE_KEYS.deployments, API_NAMESPACE, API_APP);
    if (!deployment) return;
    collect((deployment.spec as { template: unknown }).template);
    for (const rs of this.store.list(RESOURCE_KEYS.replicasets, API_NAMESPACE)) {
      if (controllerOf(rs)?.uid === deployment.metadata.uid) collect((rs.spec as { template: unknown }).template);
    }
    good.delete(BAD_IMAGE);
    this.app.knownGoodImages = good;
    this.store.mutate(RESOURCE_KEYS.deployments, API_NAMESPACE, API_APP, (draft) => {
      const spec = draft.spec as { template: { spec: PodSpec } };
      const container = spec.template.spec.containers.find((c) => c.name === API_APP);
      if (!container || container.image === BAD_IMAGE) return false;
      container.image = BAD_IMAGE;
      draft.metadata.annotations = {
        ...(draft.metadata.annotations ?? {}),
        'kubernetes.io/change-cause': `kubectl set image deployment/${API_APP} ${API_APP}=${BAD_IMAGE}`,
      };
    });
  }

  private nodeSlots(): typeof NODE_SLOTS {
    return NODE_SLOTS.filter((n) => this.store.get(RESOURCE_KEYS.nodes, undefined, n.name));
  }

  private tick(): void {
    this.lifecycle.step();
    for (const key of this.deployments.rollingOut) {
      const slash = key.indexOf('/');
      this.enqueue('deployment', key.slice(0, slash), key.slice(slash + 1));
    }
    this.drain();
    reconcileDisruptionBudgets(this.store, this.clock.now());
    reconcileCordonTaints(this.store, this.clock.now());
    this.exporter.accumulate();
    this.endFixedScenarios();
  }

  /** The safety net: every controller looks at everything now and then, as resyncs do. */
  private slowTick(): void {
    this.enqueueAll();
    this.drain();
    this.events.expire();
  }

  private enqueueAll(kinds?: ReconcileKind[]): void {
    const want = (kind: ReconcileKind): boolean => !kinds || kinds.includes(kind);
    const add = (kind: ReconcileKind, resource: string): void => {
      if (!want(kind)) return;
      for (const o of readObjects(this.store, resource)) this.enqueue(kind, o.metadata.namespace ?? '', o.metadata.name);
    };
    add('deployment', RESOURCE_KEYS.deployments);
    add('replicaset', RESOURCE_KEYS.replicasets);
    add('statefulset', RESOURCE_KEYS.statefulsets);
    add('job', RESOURCE_KEYS.jobs);
    add('cronjob', RESOURCE_KEYS.cronjobs);
    add('certificate', RESOURCE_KEYS.certificates);
    add('claim', RESOURCE_KEYS.persistentvolumeclaims);
    add('hpa', RESOURCE_KEYS.horizontalpodautoscalers);
    if (want('endpoints')) for (const ns of readObjects(this.store, RESOURCE_KEYS.namespaces)) this.enqueue('endpoints', ns.metadata.name, '');
  }

  private enqueue(kind: ReconcileKind, namespace: string, name: string): void {
    this.queue.add(`${kind}|${namespace}|${name}`);
    if (!this.drainScheduled && !this.draining) {
      this.drainScheduled = true;
      queueMicrotask(() => {
        this.drainScheduled = false;
        this.drain();
      });
    }
  }

  private drain(): void {
    if (this.draining || !this.unsubscribe) return;
    this.draining = true;
    try {
      let budget = 10_000;
      while (this.queue.size > 0 && budget-- > 0) {
        const key = this.queue.values().next().value as string;
        this.queue.delete(key);
        const [kind, namespace, name] = key.split('|') as [ReconcileKind, string, string];
        this.reconcile(kind, namespace, name);
      }
    } finally {
      this.draining = false;
    }
  }

  private reconcile(kind: ReconcileKind, namespace: string, name: string): void {
    try {
      switch (kind) {
        case 'deployment':
          return this.deployments.reconcile(namespace, name);
        case 'replicaset':
          return this.replicaSets.reconcile(namespace, name);
        case 'statefulset':
          return this.statefulSets.reconcile(namespace, name);
        case 'job':
          return this.jobs.reconcile(namespace, name);
        case 'cronjob':
          return this.cronJobs.reconcile(namespace, name);
        case 'certificate':
          return this.certificates.reconcile(namespace, name);
        case 'claim':
          return this.volumes.reconcile(namespace, name);
        case 'hpa':
          return this.hpas.reconcile(namespace, name);
        case 'endpoints':
          return this.endpoints.reconcile(namespace);
      }
    } catch (error) {
      this.lastControllerError = error;
      if (!(error instanceof StoreError)) {
        console.warn(`drill world: ${kind} ${namespace}/${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private onStoreEvent(event: StoreEvent): void {
    const { object } = event;
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name;
    switch (event.resource) {
      case RESOURCE_KEYS.pods: {
        if (event.type !== 'DELETED' && object.metadata.deletionTimestamp) this.scheduleRemoval(object);
        if (event.type === 'DELETED') {
          this.unindexPod(object);
          // Untracking records a Killing event: a write, so not from inside the store's notification.
          queueMicrotask(() => this.lifecycle.untrack(object));
        } else {
          this.indexPod(object);
        }
        const owner = controllerOf(object);
        if (owner?.kind === 'ReplicaSet') this.enqueue('replicaset', namespace, owner.name);
        else if (owner?.kind === 'StatefulSet') this.enqueue('statefulset', namespace, owner.name);
        else if (owner?.kind === 'Job') this.enqueue('job', namespace, owner.name);
        if (event.type !== 'MODIFIED') {
          for (const sim of this.lifecycle.pods.values()) if (sim.app === API_APP) sim.nextCheckAt = 0;
        }
        this.enqueue('endpoints', namespace, '');
        break;
      }
      case RESOURCE_KEYS.services:
        this.enqueue('endpoints', namespace, '');
        break;
      case RESOURCE_KEYS.namespaces:
        if (event.type === 'MODIFIED' && object.metadata.deletionTimestamp) this.finishNamespace(object);
        break;
      case RESOURCE_KEYS.replicasets: {
        if (event.type !== 'DELETED') this.enqueue('replicaset', namespace, name);
        const owner = controllerOf(object);
        if (owner?.kind === 'Deployment') this.enqueue('deployment', namespace, owner.name);
        break;
      }
      case RESOURCE_KEYS.deployments:
        if (event.type !== 'DELETED') this.enqueue('deployment', namespace, name);
        break;
      case RESOURCE_KEYS.statefulsets:
        if (event.type !== 'DELETED') this.enqueue('statefulset', namespace, name);
        break;
      case RESOURCE_KEYS.jobs:
        if (event.type !== 'DELETED') this.enqueue('job', namespace, name);
        break;
      case RESOURCE_KEYS.cronjobs:
        if (event.type !== 'DELETED') this.enqueue('cronjob', namespace, name);
        break;
      case RESOURCE_KEYS.persistentvolumeclaims:
        if (event.type === 'ADDED') this.enqueue('claim', namespace, name);
        break;
      case RESOURCE_KEYS.certificates:
        if (event.type === 'DELETED') this.certificates.onDeleted(object);
        else this.enqueue('certificate', namespace, name);
        break;
    }
  }

  private indexPod(pod: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const owner = controllerOf(pod)?.uid;
    const previous = this.podOwner.get(key);
    if (previous && previous !== owner) this.ownedPods.get(previous)?.delete(key);
    if (owner) {
      this.podOwner.set(key, owner);
      let set = this.ownedPods.get(owner);
      if (!set) this.ownedPods.set(owner, (set = new Set()));
      set.add(key);
    } else {
      this.podOwner.delete(key);
    }
    const sim = this.lifecycle.find(pod.metadata.namespace ?? 'default', pod.metadata.name);
    if (!sim || sim.uid !== pod.metadata.uid) this.lifecycle.track(pod);
    else sim.labels = { ...(pod.metadata.labels ?? {}) };
  }

  private unindexPod(pod: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const owner = this.podOwner.get(key);
    if (owner) this.ownedPods.get(owner)?.delete(key);
    this.podOwner.delete(key);
  }

  private podsOwnedBy(uid: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const key of this.ownedPods.get(uid) ?? []) {
      const slash = key.indexOf('/');
      const pod = this.store.get(RESOURCE_KEYS.pods, key.slice(0, slash), key.slice(slash + 1));
      if (pod && controllerOf(pod)?.uid === uid) out.push(pod);
    }
    return out;
  }
}
