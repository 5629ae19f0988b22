/**
 * The drill cluster as one thing to start and stop: the object store, the simulated world,
 * the pod stream handler and the API server, plus the kubeconfig that reaches it.
 */
import { randomBytes } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { certificateCrd } from './crds';
import { MonitoringProxy } from './monitoring-proxy';
import { RESOURCE_KEYS } from './resources';
import { DrillApiServer } from './server';
import { loadOrCreateIdentity, saveIdentity, sharedServingCertificate, type ServingCertificate } from './serving-certificate';
import { MemoryObjectStore } from './store';
import { createPodStreamHandler } from './streams/index';
import type { DrillBackendAddress, DrillWorld, ObjectStore, PodStreamHandler } from './types';
import { createDrillWorld, SimulatedWorld } from './world/index';
import { ClusterStateWriter, readClusterState } from './persistence';
import { PostgresBackend, type PostgresBackendOption } from './backends/postgres-backend';
import { DrillDatabases } from './backends/drill-databases';

export interface DrillClusterOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** The bearer token clients must send; random when absent. */
  token?: string;
  /** Simulated seconds per real second (default 1). */
  speed?: number;
  logLinesPerSecond?: number;
  /** `auto` (default): Debian's PostgreSQL server when installed, else PGlite. */
  postgres?: PostgresBackendOption;
  redis?: DrillBackendAddress | 'auto' | 'none';
  /** `<data>/drill`: the real PostgreSQL keeps its cluster in `postgres/` here (a temp dir when absent). */
  dataDir?: string;
  /** Watch history size of the store (default 10,000 changes). */
  historySize?: number;
  /** Replaces the simulated world (tests that need an empty or hand-built cluster). */
  createWorld?: (store: ObjectStore, options: { speed?: number; logLinesPerSecond?: number; startAt?: number }) => DrillWorld;
  /** Keep the cluster's state in this file across restarts (restored at start, saved as it changes). */
  stateFile?: string;
  /** Keep its certificate, token and port here (0600), so its kubeconfig stays valid across restarts. */
  identityFile?: string;
  /** Replaces the pod stream handler (tests). */
  createStreams?: (world: DrillWorld) => PodStreamHandler;
  /** What the monitoring services proxy to (kept across a reset when the same object is passed again). */
  monitoring?: MonitoringProxy;
}

export const DRILL_CLUSTER_NAME = 'codesign-drill';
export const DRILL_NAMESPACE = 'codesign-production';

export class DrillCluster {
  private constructor(
    readonly store: MemoryObjectStore,
    readonly world: DrillWorld,
    private readonly streams: PodStreamHandler,
    private readonly server: DrillApiServer,
    readonly token: string,
    /** The server's self-signed certificate (PEM), which clients trust as the cluster CA. */
    readonly caCertificate: string,
    /** Where the state is kept, and whether this start restored it (or why it could not). */
    readonly persistence: { file?: string; restored: boolean; problem?: string; writer?: ClusterStateWriter },
    /** Where monitoring/prometheus and monitoring/alertmanager lead: `register` a real one. */
    readonly monitoring: MonitoringProxy,
    /** The PostgreSQL behind postgres-0 and the sessions the connection-exhaustion scenario holds in it (absent with `createStreams`). */
    readonly databases?: DrillDatabases,
  ) {}

  /** Seeds the world, starts the API server on 127.0.0.1 and resolves once it listens. */
  static async start(options: DrillClusterOptions = {}): Promise<DrillCluster> {
    const saved = options.stateFile ? await readClusterState(options.stateFile) : {};
    const store = new MemoryObjectStore(options.historySize !== undefined ? { historySize: options.historySize } : {});
    if (saved.state) store.load(saved.state.objects, saved.state.resourceVersion);
    const worldOptions = {
      ...(options.speed !== undefined ? { speed: options.speed } : {}),
      ...(options.logLinesPerSecond !== undefined ? { logLinesPerSecond: options.logLinesPerSecond } : {}),
      ...(saved.state ? { startAt: saved.state.clock } : {}),
    };
    const postgres = options.createStreams ? undefined : new PostgresBackend(options.postgres ?? 'auto', {
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      password: () => DrillDatabases.secretValue(store, 'postgres-password'),
    });
    // Before the seed: the image, psql's banner and the backend annotation come from it.
    DrillDatabases.announce(postgres);
    const world = (options.createWorld ?? createDrillWorld)(store, worldOptions);
    const databases = postgres ? new DrillDatabases(postgres, world, store) : undefined;
    store.useClock(() => world.clock.now());
    if (!store.get(RESOURCE_KEYS.customresourcedefinitions, undefined, 'certificates.cert-manager.io')) {
      store.create(RESOURCE_KEYS.customresourcedefinitions, certificateCrd());
    }
    await world.start();
    let writer: ClusterStateWriter | undefined;
    if (world instanceof SimulatedWorld) {
      if (saved.state) world.importScenarios(saved.state.scenarios);
      if (options.stateFile) {
        writer = new ClusterStateWriter(options.stateFile, store, world);
        await writer.flush();
      }
    }
    const persistence = {
      ...(options.stateFile ? { file: options.stateFile } : {}),
      restored: saved.state !== undefined,
      ...(saved.problem ? { problem: saved.problem } : {}),
      ...(writer ? { writer } : {}),
    };
    const streams = options.createStreams
      ? options.createStreams(world)
      : createPodStreamHandler({
          clock: world.clock,
          podLookup: (namespace, name) => world.podRef(namespace, name),
          appMetrics: () => world.prometheusText(),
          onSqlExecuted: (sql) => {
            // With a real server the held sessions themselves say which ones went.
            if (/pg_terminate_backend/i.test(sql) && !databases?.holdsRealSessions) world.terminateIdleConnections?.();
          },
          ...(postgres ? { postgres } : {}),
          ...(options.redis !== undefined ? { redis: options.redis } : {}),
          // redis-0 runs `redis-server --requirepass $(REDIS_PASSWORD)`: the Secret's redis-password.
          redisPassword: () => DrillDatabases.secretValue(store, 'redis-password'),
        });
    const monitoring = options.monitoring ?? new MonitoringProxy();
    monitoring.attach(store);
    const makeToken = () => randomBytes(32).toString('base64url');
    try {
      const identity = options.identityFile ? await loadOrCreateIdentity(options.identityFile, makeToken) : undefined;
      const token = options.token ?? identity?.token ?? makeToken();
      const tls: ServingCertificate = identity?.tls ?? (await sharedServingCertificate());
      const listen = (port: number | undefined) =>
        DrillApiServer.listen({ store, token, world, streams, tls, monitoring, ...(port !== undefined ? { port } : {}) });
      let server: DrillApiServer;
      if (options.port === undefined && identity?.port) {
        // The port it had last time, so the kubeconfig stays the same; any free one if taken.
        server = await listen(identity.port).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') throw error;
          return listen(undefined);
        });
      } else {
        server = await listen(options.port);
      }
      if (identity && options.identityFile && identity.port !== server.port) await saveIdentity(options.identityFile, { ...identity, port: server.port });
      databases?.start();
      return new DrillCluster(store, world, streams, server, token, tls.cert, persistence, monitoring, databases);
    } catch (error) {
      await databases?.close();
      await writer?.close().catch(() => undefined);
      await streams.close();
      await world.stop();
      throw error;
    }
  }

  get url(): string {
    return this.server.url;
  }

  get port(): number {
    return this.server.port;
  }

  /** A kubeconfig (YAML) with one context, `contextName`, that reaches this cluster with its token. */
  kubeconfig(contextName = 'drill'): string {
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: DRILL_CLUSTER_NAME,
          cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.caCertificate).toString('base64') },
        },
      ],
      users: [{ name: `${DRILL_CLUSTER_NAME}-user`, user: { token: this.token } }],
      contexts: [
        {
          name: contextName,
          context: { cluster: DRILL_CLUSTER_NAME, user: `${DRILL_CLUSTER_NAME}-user`, namespace: DRILL_NAMESPACE },
        },
      ],
      'current-context': contextName,
      preferences: {},
    });
  }

  /** Writes `kubeconfig()` to `path`, readable by the owner only (it holds the token). */
  async writeKubeconfig(path: string, contextName = 'drill'): Promise<void> {
    await writeFile(path, this.kubeconfig(contextName), { mode: 0o600 });
    await chmod(path, 0o600);
  }

  /** Stops the API server (ending watches and streams), the stream backends and the world, and saves the state. */
  async stop(): Promise<void> {
    this.monitoring.close();
    await this.server.close();
    await this.databases?.close();
    await this.streams.close();
    await this.world.stop();
    await this.persistence.writer?.close();
  }
}
