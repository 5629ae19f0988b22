/**
 * One source of truth for the versions the drill shows. PostgreSQL is what the embedded
 * backend really is (PGlite 0.5 serves PostgreSQL 18.6: `SELECT version()` through a
 * port-forward), so the image, psql's banner, pg_dump's header and the server log agree with it.
 */
export const POSTGRES_VERSION = '18.6';
export const POSTGRES_MAJOR = POSTGRES_VERSION.split('.')[0] as string;
export const POSTGRES_IMAGE = `postgres:${POSTGRES_VERSION}`;
/** The backup CronJob's client image: the same major as the server, as pg_dump needs. */
export const POSTGRES_CLIENT_IMAGE = `postgres:${POSTGRES_MAJOR}-alpine`;
/** The application's database, as the app's env, the exporter and the backend all name it. */
export const APP_DATABASE = 'codesign_db';
