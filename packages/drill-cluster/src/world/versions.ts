/**
 * One source of truth for the versions the drill shows. PostgreSQL is what the backend behind
 * `postgres-0` really is, so the image, psql's banner, pg_dump's header, the server log and the
 * pod's backend annotation agree with `SELECT version()` through a port-forward. The cluster sets
 * the running backend once at start (`useRunningPostgres`), before the world is seeded; until then
 * (and for the embedded fallback) it is PGlite's PostgreSQL.
 */

/** What PGlite 0.5 serves (`SELECT version()` through a port-forward says PostgreSQL 18.6). */
export const PGLITE_POSTGRES_VERSION = '18.6';

/** Which PostgreSQL fronts postgres-0: Debian's server binaries, the embedded PGlite, or an address given to the drill. */
export type PostgresBackendKind = 'postgresql' | 'pglite' | 'external';

export interface RunningPostgres {
  kind: PostgresBackendKind;
  /** `15.18`: major.minor, as image tags and psql's banner print it. */
  version: string;
  /** `15.18 (Debian 15.18-0+deb12u1)`: the server's `server_version`. */
  serverVersion: string;
}

/**
 * The annotation on the postgres StatefulSet's pod template (and so on postgres-0) that says which
 * backend runs: `postgresql-15.18` or `pglite-18.6` (`external-<version>` for a given address).
 */
export const POSTGRES_BACKEND_ANNOTATION = 'drill.incident-cockpit/backend';

let running: RunningPostgres = { kind: 'pglite', version: PGLITE_POSTGRES_VERSION, serverVersion: PGLITE_POSTGRES_VERSION };

/** Called by the cluster at start, once it knows which backend postgres-0 fronts. */
export function useRunningPostgres(next: RunningPostgres): void {
  running = { ...next };
}

export function runningPostgres(): RunningPostgres {
  return { ...running };
}

/** `15.18` (or `18.6` for PGlite). */
export function postgresVersion(): string {
  return running.version;
}

export function postgresMajor(): string {
  return running.version.split('.')[0] as string;
}

/** The postgres StatefulSet's image: the running server's version. */
export function postgresImage(): string {
  return `postgres:${running.version}`;
}

/** The backup CronJob's client image: the same major as the server, as pg_dump needs. */
export function postgresClientImage(): string {
  return `postgres:${postgresMajor()}-alpine`;
}

/** The value of `POSTGRES_BACKEND_ANNOTATION`: `postgresql-15.18`, `pglite-18.6`. */
export function postgresBackendLabel(): string {
  return `${running.kind}-${running.version}`;
}

/** The application's database, as the app's env, the exporter and the backend all name it. */
export const APP_DATABASE = 'codesign_db';
