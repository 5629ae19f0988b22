/**
 * The PostgreSQL that `postgres-0` fronts: an address the caller gives, else an embedded PGlite
 * served over the wire protocol on 127.0.0.1 (pglite-socket), seeded with the codesign schema.
 */
import { APP_DATABASE } from '../world/versions';
import type { DrillBackendAddress } from '../types';

/** A started PostgreSQL the drill pods reach; `embedded` when it is our PGlite (one database). */
export interface PostgresEndpoint extends DrillBackendAddress {
  embedded: boolean;
  /** The database a client should name; PGlite answers for any name but has only this one. */
  database: string;
  user: string;
}

export type PostgresBackendOption = DrillBackendAddress | 'pglite' | 'none';

const SEED_SQL = `
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

  constructor(private readonly option: PostgresBackendOption = 'pglite') {}

  /** The backend's address, starting PGlite on first use; undefined when configured `none`. */
  address(): Promise<PostgresEndpoint | undefined> {
    this.starting ??= this.start();
    return this.starting;
  }

  private async start(): Promise<PostgresEndpoint | undefined> {
    if (this.option === 'none') return undefined;
    if (this.option !== 'pglite') {
      return { ...this.option, embedded: false, database: 'codesign_db', user: 'codesign' };
    }
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
  }
}
