/**
 * The PostgreSQL that `postgres-0` fronts: an address the caller gives; else a real server from
 * Debian's packages when its binaries are installed (`postgres-server.ts`); else an embedded PGlite
 * served over the wire protocol on 127.0.0.1 (pglite-socket). Both are seeded with the codesign
 * schema in `codesign_db`. Which one runs, and its version, is known before it starts (`plan`), so
 * the world can be seeded with the right image; the server itself starts on first use.
 */
import pg from 'pg';
import { APP_DATABASE, PGLITE_POSTGRES_VERSION, type RunningPostgres } from '../world/versions';
import type { DrillBackendAddress } from '../types';
import { findPostgresBinaries, PostgresServer, type PostgresBinaries, type PostgresServerStart } from './postgres-server';

/** A started PostgreSQL the drill pods reach; `embedded` when it is our PGlite (one database). */
export interface PostgresEndpoint extends DrillBackendAddress {
  embedded: boolean;
  /** The database a client should name; PGlite answers for any name but has only this one. */
  database: string;
  user: string;
}

/** `auto` (default): the real server when Debian's binaries are there, else PGlite. */
export type PostgresBackendOption = DrillBackendAddress | 'auto' | 'postgresql' | 'pglite' | 'none';

/** The app's role, as the pods' env names it (POSTGRES_USER). */
export const APP_ROLE = 'codesign';

/** What the control API says about the backend. */
export interface PostgresBackendStatus extends RunningPostgres {
  state: 'not started' | 'starting' | 'running' | 'failed' | 'stopped' | 'none';
  port?: number;
  dataDir?: string;
  /** Real ms the last start took (initdb included when it ran). */
  startMs?: number;
  initialised?: boolean;
  recovered?: PostgresServerStart['recovered'];
  problem?: string;
}

/** The codesign schema and rows (idempotent: runs at every start). */
export const SEED_SQL = `
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'codesign') THEN
    CREATE ROLE codesign LOGIN;
  END IF;
END $$;
CREATE TABLE IF NOT EXISTS users (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  display_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS designs (
  id serial PRIMARY KEY,
  owner_id integer NOT NULL REFERENCES users(id),
  title text NOT NULL,
  status text NOT NULL DEFAULT 'draft',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS designs_owner_idx ON designs(owner_id);
CREATE TABLE IF NOT EXISTS audit_logs (
  id serial PRIMARY KEY,
  user_id integer REFERENCES users(id),
  action text NOT NULL,
  result text NOT NULL,
  risk_level text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO users (email, display_name)
SELECT 'user' || g || '@codesign.example.com', 'User ' || g FROM generate_series(1, 40) g
ON CONFLICT (email) DO NOTHING;
INSERT INTO designs (owner_id, title, status, updated_at)
SELECT 1 + (g % 40), 'Design ' || g, (ARRAY['draft','published','archived'])[1 + g % 3], now() - (g || ' hours')::interval
FROM generate_series(1, 120) g
WHERE NOT EXISTS (SELECT 1 FROM designs);
INSERT INTO audit_logs (user_id, action, result, risk_level, created_at)
SELECT 1 + (g % 40), (ARRAY['login','export_design','delete_design','update_permissions','data_access'])[1 + g % 5],
       (ARRAY['success','success','success','denied'])[1 + g % 4],
       (ARRAY['low','low','medium','high','critical'])[1 + g % 5], now() - (g || ' minutes')::interval
FROM generate_series(1, 200) g
WHERE NOT EXISTS (SELECT 1 FROM audit_logs);
GRANT ALL ON ALL TABLES IN SCHEMA public TO codesign;
ANALYZE;
`;

/** Starts (once, on first `address()`) and stops the PostgreSQL backend. */
export class PostgresBackend {
  private starting: Promise<PostgresEndpoint | undefined> | undefined;
  private stopEmbedded: (() => Promise<void>) | undefined;
  private server: PostgresServer | undefined;
  private readonly binaries: PostgresBinaries | undefined;
  private current: PostgresBackendStatus;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly option: PostgresBackendOption = 'auto',
    private readonly settings: {
      /** `<data>/drill`: the real server's cluster goes in `postgres/` below it (a temp dir when absent). */
      dataDir?: string;
      /** The Secret's `postgres-password`, read when the server starts. */
      password?: () => string | undefined;
      /** Where to look for Debian's binaries (tests point it at an empty dir). */
      binariesRoot?: string;
    } = {},
  ) {
    const wantsReal = option === 'auto' || option === 'postgresql';
    this.binaries = wantsReal ? findPostgresBinaries(settings.binariesRoot) : undefined;
    if (option === 'postgresql' && !this.binaries) throw new Error('no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)');
    this.current = { ...this.plan(), state: option === 'none' ? 'none' : 'not started' };
  }

  /** Which backend will run, and its version, before it starts. */
  plan(): RunningPostgres {
    if (this.binaries) return { kind: 'postgresql', version: this.binaries.version, serverVersion: this.binaries.serverVersion };
    if (typeof this.option === 'object') return { kind: 'external', version: PGLITE_POSTGRES_VERSION, serverVersion: PGLITE_POSTGRES_VERSION };
    return { kind: 'pglite', version: PGLITE_POSTGRES_VERSION, serverVersion: PGLITE_POSTGRES_VERSION };
  }

  status(): PostgresBackendStatus {
    return { ...this.current };
  }

  /** Called when `status()` changes (started, failed, stopped). */
  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The backend's address, starting it on first use; undefined when configured `none`. */
  address(): Promise<PostgresEndpoint | undefined> {
    if (!this.starting) {
      const starting = this.start();
      this.starting = starting;
      // A failed start (its reason in status().problem) is tried again on the next use.
      starting.catch(() => {
        if (this.starting === starting) this.starting = undefined;
      });
    }
    return this.starting;
  }

  private update(change: Partial<PostgresBackendStatus>): void {
    this.current = { ...this.current, ...change };
    for (const listener of [...this.listeners]) listener();
  }

  private async start(): Promise<PostgresEndpoint | undefined> {
    if (this.option === 'none') return undefined;
    if (typeof this.option === 'object') {
      this.update({ state: 'running', port: this.option.port });
      return { ...this.option, embedded: false, database: APP_DATABASE, user: APP_ROLE };
    }
    this.update({ state: 'starting' });
    try {
      const endpoint = this.binaries ? await this.startReal(this.binaries) : await this.startPglite();
      this.update({ state: 'running', port: endpoint.port });
      delete this.current.problem;
      return endpoint;
    } catch (error) {
      this.update({ state: 'failed', problem: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  private async startReal(binaries: PostgresBinaries): Promise<PostgresEndpoint> {
    const password = this.settings.password?.();
    if (!password) throw new Error('the Secret codesign-secrets has no postgres-password for the drill\'s PostgreSQL');
    const server = new PostgresServer({
      binaries,
      ...(this.settings.dataDir ? { dataDir: `${this.settings.dataDir.replace(/\/+$/, '')}/postgres` } : {}),
    });
    this.server = server;
    let started: PostgresServerStart;
    try {
      started = await server.start();
      await prepareDatabase(started.socketDir, started.port, password);
    } catch (error) {
      await server.stop().catch(() => undefined);
      if (this.server === server) this.server = undefined;
      throw error;
    }
    this.update({ dataDir: started.dataDir, startMs: started.ms, initialised: started.initialised, ...(started.recovered ? { recovered: started.recovered } : {}) });
    return { host: '127.0.0.1', port: started.port, embedded: false, database: APP_DATABASE, user: APP_ROLE };
  }

  private async startPglite(): Promise<PostgresEndpoint> {
    const began = Date.now();
    const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite-socket'),
    ]);
    const db = await PGlite.create();
    // PGlite serves one database whatever name a client asks for: make the app's name the one it
    // answers to (listed in pg_database, and what current_database() says), then seed it.
    await db.exec(`CREATE DATABASE ${APP_DATABASE}`);
    await db.exec(`CREATE FUNCTION public.current_database() RETURNS name LANGUAGE sql STABLE AS $$ SELECT '${APP_DATABASE}'::name $$`);
    await db.exec(`ALTER DATABASE postgres SET search_path TO "$user", public, pg_catalog`);
    await db.exec(`SET search_path TO "$user", public, pg_catalog`);
    await db.exec(SEED_SQL);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
    await server.start();
    const conn = server.getServerConn();
    const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
    this.stopEmbedded = async () => {
      await server.stop();
      await db.close();
    };
    this.update({ startMs: Date.now() - began });
    return { host: '127.0.0.1', port, embedded: true, database: 'postgres', user: 'postgres' };
  }

  async close(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    if (!starting) return;
    await starting.catch(() => undefined);
    const stop = this.stopEmbedded;
    this.stopEmbedded = undefined;
    await stop?.();
    const server = this.server;
    this.server = undefined;
    await server?.stop();
    if (this.current.state !== 'none') this.update({ state: 'stopped' });
  }

  /** The real postmaster's pid (tests play a crash with it). */
  get serverPid(): number | undefined {
    return this.server?.pid;
  }
}

/**
 * Every start, over the drill's private socket: the app's role with the Secret's password (and the
 * superuser's, for TCP clients), `codesign_db`
 * owned by it, `pg_stat_statements` and the seed. Idempotent, so a kept data folder is reused.
 */
async function prepareDatabase(socketDir: string, port: number, password: string): Promise<void> {
  const admin = new pg.Client({ host: socketDir, port, user: 'postgres', database: 'postgres' });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    const literal = `'${password.replace(/'/g, "''")}'`;
    await admin.query(`ALTER ROLE postgres PASSWORD ${literal}`);
    const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    await admin.query(`${role.rowCount ? 'ALTER' : 'CREATE'} ROLE ${APP_ROLE} LOGIN PASSWORD ${literal}`);
    const db = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [APP_DATABASE]);
    if (!db.rowCount) await admin.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_ROLE}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  const app = new pg.Client({ host: socketDir, port, user: 'postgres', database: APP_DATABASE });
  app.on('error', () => undefined);
  await app.connect();
  try {
    await app.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await app.query(SEED_SQL);
    await app.query(`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}; GRANT pg_monitor TO ${APP_ROLE}`);
    // The drill's own setup (roles, passwords, the seed) is not what a responder investigates:
    // the statistics start from here, as the app's queries would after a maintenance window.
    await app.query('SELECT pg_stat_statements_reset()');
  } finally {
    await app.end().catch(() => undefined);
  }
}
