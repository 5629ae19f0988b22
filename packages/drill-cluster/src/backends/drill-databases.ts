/**
 * The drill's databases as the cluster wires them: which PostgreSQL backend postgres-0 fronts
 * (announced to `world/versions.ts` before the seed, so the image and the banners agree with it),
 * the postgres StatefulSet's backend annotation kept true across restarts, and, with a real
 * server, the idle sessions db-connection-exhaustion holds in it.
 */
import { RESOURCE_KEYS } from '../resources';
import type { DrillWorld, KubeObject, ObjectStore } from '../types';
import { POSTGRES_BACKEND_ANNOTATION, postgresBackendLabel, postgresImage, PGLITE_POSTGRES_VERSION, useRunningPostgres } from '../world/versions';
import { IdleConnectionHolder } from './idle-connection-holder';
import type { PostgresBackend, PostgresBackendStatus } from './postgres-backend';

const NAMESPACE = 'codesign-production';
const SECRET = 'codesign-secrets';

/**
 * Real sessions db-connection-exhaustion holds: with `max_connections = 200` and 3 slots reserved
 * for superusers, 190 idle ones put `pg_stat_activity` at the runbook's critical line (190) and
 * leave 7 slots for the responder's own clients (psql, the cockpit) as the app's role.
 */
export const HELD_IDLE_CONNECTIONS = 190;

/** What the control API's state says about the databases (`DrillControlState.backends`). */
export interface DrillDatabasesStatus {
  postgres: PostgresBackendStatus & { annotation: string; heldIdleConnections: number };
}

export class DrillDatabases {
  /** True when db-connection-exhaustion holds real sessions (a real server and a world that can say how many). */
  readonly holdsRealSessions: boolean;
  private holder: IdleConnectionHolder | undefined;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly postgres: PostgresBackend,
    private readonly world: DrillWorld,
    private readonly store: ObjectStore,
  ) {
    this.holdsRealSessions = postgres.plan().kind === 'postgresql' && typeof world.holdRealConnections === 'function';
    if (this.holdsRealSessions) world.holdRealConnections?.(HELD_IDLE_CONNECTIONS);
  }

  /** A key of the Secret codesign-secrets, decoded; undefined when missing. */
  static secretValue(store: ObjectStore, key: string): string | undefined {
    const secret = store.get(RESOURCE_KEYS.secrets, NAMESPACE, SECRET) as (KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> }) | undefined;
    const encoded = secret?.data?.[key];
    if (encoded !== undefined) return Buffer.from(encoded, 'base64').toString('utf8');
    return secret?.stringData?.[key];
  }

  /** Makes `backend`'s kind and version the ones the drill shows (PGlite's when there is none). */
  static announce(backend: PostgresBackend | undefined): void {
    useRunningPostgres(backend?.plan() ?? { kind: 'pglite', version: PGLITE_POSTGRES_VERSION, serverVersion: PGLITE_POSTGRES_VERSION });
  }

  /** Once the world runs: the annotation and image made true, and the session holder started. */
  start(): void {
    this.syncStatefulSet();
    this.unsubscribe.push(this.postgres.onDidChange(() => this.changed()));
    if (!this.holdsRealSessions) return;
    const world = this.world;
    const holder = new IdleConnectionHolder({
      endpoint: () => this.postgres.address(),
      password: () => DrillDatabases.secretValue(this.store, 'postgres-password'),
      wanted: () => world.leakedConnectionsByPod?.() ?? new Map(),
      onTerminated: (pod) => world.releaseLeakedConnection?.(pod),
      onTerminationRun: (count) => {
        world.recordTerminationRun?.(count);
        this.changed();
      },
    });
    this.holder = holder;
    const unsubscribeWorld = world.scenarios.onDidChange?.(() => void holder.reconcile().then(() => this.changed()));
    if (unsubscribeWorld) this.unsubscribe.push(unsubscribeWorld);
    void holder.reconcile();
  }

  status(): DrillDatabasesStatus {
    return { postgres: { ...this.postgres.status(), annotation: postgresBackendLabel(), heldIdleConnections: this.holder?.total() ?? 0 } };
  }

  /** Sessions held now (for tests: resolves after the current reconcile round). */
  async heldSessions(): Promise<number> {
    await this.holder?.reconcile();
    return this.holder?.total() ?? 0;
  }

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    this.listeners.clear();
    const holder = this.holder;
    this.holder = undefined;
    await holder?.close();
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** A state restored from a run with another backend: its StatefulSet says which runs now. */
  private syncStatefulSet(): void {
    const sts = this.store.get(RESOURCE_KEYS.statefulsets, NAMESPACE, 'postgres');
    if (!sts) return;
    type Template = { metadata?: { annotations?: Record<string, string> }; spec?: { containers?: Array<{ name: string; image: string }> } };
    const template = (sts.spec as { template?: Template } | undefined)?.template;
    const label = postgresBackendLabel();
    const container = template?.spec?.containers?.find((c) => c.name === 'postgres');
    if (template?.metadata?.annotations?.[POSTGRES_BACKEND_ANNOTATION] === label && (!container || container.image === postgresImage())) return;
    this.store.mutate(RESOURCE_KEYS.statefulsets, NAMESPACE, 'postgres', (draft) => {
      const t = (draft.spec as { template: Template }).template;
      t.metadata = { ...t.metadata, annotations: { ...t.metadata?.annotations, [POSTGRES_BACKEND_ANNOTATION]: label } };
      const c = t.spec?.containers?.find((x) => x.name === 'postgres');
      if (c) c.image = postgresImage();
    });
  }
}
