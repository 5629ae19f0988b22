/**
 * db-connection-exhaustion against the real PostgreSQL: the connections the codesign-api pods
 * leaked are held open as real idle sessions (user codesign, `application_name` codesign-api), so
 * `pg_stat_activity` shows them and `pg_terminate_backend` has something to terminate. The world
 * says how many each pod leaked; this reconciles real sessions to that, closes a pod's when the pod
 * goes (a restart is the runbook's other fix), and tells the world when the server ended some
 * (each one at once, so none is reopened, and then once per burst as one "termination run").
 */
import pg from 'pg';
import type { PostgresEndpoint } from './postgres-backend';

/** Sessions opened at once while filling up (each costs a scram handshake and a backend fork). */
const OPEN_CONCURRENCY = 12;
/** Terminations closer together than this are one `pg_terminate_backend` run. */
const TERMINATION_BURST_MS = 300;
/** How often the held sessions are compared with what the world wants, besides on its changes. */
const RECONCILE_MS = 1000;

export interface IdleConnectionHolderOptions {
  /** The started backend (starts it on first call). */
  endpoint(): Promise<PostgresEndpoint | undefined>;
  /** The app role's password (the Secret's postgres-password). */
  password(): string | undefined;
  /** Leaked connections per pod name that should be open now (empty: none). */
  wanted(): ReadonlyMap<string, number>;
  /** The server ended one of `pod`'s sessions (not us): the world forgets that leaked connection. */
  onTerminated(pod: string): void;
  /** A burst of terminations is over: `count` sessions went in it. */
  onTerminationRun(count: number): void;
  /** `application_name` of the held sessions. */
  applicationName?: string;
}

interface HeldSession {
  client: pg.Client;
  closing: boolean;
}

export class IdleConnectionHolder {
  private readonly held = new Map<string, Set<HeldSession>>();
  private opening = 0;
  private reconciling: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private burst = 0;
  private burstTimer: NodeJS.Timeout | undefined;
  private readonly timer: NodeJS.Timeout;
  /** The last problem opening sessions (the server refused, e.g. too many clients). */
  lastProblem: string | undefined;

  constructor(private readonly options: IdleConnectionHolderOptions) {
    this.timer = setInterval(() => this.reconcile(), RECONCILE_MS);
    this.timer.unref();
  }

  /** Sessions open now, per pod. */
  counts(): Map<string, number> {
    return new Map([...this.held].map(([pod, set]) => [pod, [...set].filter((s) => !s.closing).length]));
  }

  total(): number {
    let n = 0;
    for (const count of this.counts().values()) n += count;
    return n;
  }

  /** Brings the held sessions to what the world wants; resolves when this round is done. */
  reconcile(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.reconciling) {
      this.again = true;
      return this.reconciling;
    }
    this.reconciling = (async () => {
      do {
        this.again = false;
        await this.round();
      } while (this.again && !this.closed);
    })()
      .catch((error: unknown) => {
        this.lastProblem = error instanceof Error ? error.message : String(error);
      })
      .finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private async round(): Promise<void> {
    const wanted = this.options.wanted();
    for (const [pod, sessions] of this.held) {
      const want = wanted.get(pod) ?? 0;
      const open = [...sessions].filter((s) => !s.closing);
      for (const session of open.slice(want)) this.release(session);
      if (sessions.size === 0) this.held.delete(pod);
    }
    const missing: string[] = [];
    for (const [pod, want] of wanted) {
      const have = [...(this.held.get(pod) ?? [])].filter((s) => !s.closing).length;
      for (let i = have; i < want; i++) missing.push(pod);
    }
    if (missing.length === 0) return;
    const endpoint = await this.options.endpoint();
    if (!endpoint || endpoint.embedded || this.closed) return;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < missing.length && !this.closed) {
        const pod = missing[next++] as string;
        await this.open(endpoint, pod);
      }
    };
    await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, missing.length) }, worker));
  }

  private async open(endpoint: PostgresEndpoint, pod: string): Promise<void> {
    const client = new pg.Client({
      host: endpoint.host,
      port: endpoint.port,
      user: endpoint.user,
      database: endpoint.database,
      password: this.options.password(),
      application_name: this.options.applicationName ?? 'codesign-api',
      connectionTimeoutMillis: 10_000,
    });
    const session: HeldSession = { client, closing: false };
    let sessions = this.held.get(pod);
    if (!sessions) this.held.set(pod, (sessions = new Set()));
    sessions.add(session);
    client.on('error', () => undefined);
    this.opening++;
    try {
      await client.connect();
    } catch (error) {
      sessions.delete(session);
      this.lastProblem = (error as Error).message;
      return;
    } finally {
      this.opening--;
    }
    if (this.closed || session.closing) {
      void client.end().catch(() => undefined);
      return;
    }
    client.once('end', () => {
      this.held.get(pod)?.delete(session);
      if (session.closing || this.closed) return;
      // Not ours: pg_terminate_backend, or the server went away.
      this.options.onTerminated(pod);
      this.burst++;
      if (this.burstTimer) clearTimeout(this.burstTimer);
      this.burstTimer = setTimeout(() => {
        const count = this.burst;
        this.burst = 0;
        this.burstTimer = undefined;
        this.options.onTerminationRun(count);
      }, TERMINATION_BURST_MS);
    });
  }

  private release(session: HeldSession): void {
    session.closing = true;
    void session.client.end().catch(() => undefined);
  }

  /** Closes every held session (they are not counted as terminations). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    if (this.burstTimer) clearTimeout(this.burstTimer);
    await this.reconciling;
    const ends: Array<Promise<void>> = [];
    for (const sessions of this.held.values()) {
      for (const session of sessions) {
        session.closing = true;
        ends.push(session.client.end().catch(() => undefined));
      }
    }
    this.held.clear();
    await Promise.all(ends);
  }
}
