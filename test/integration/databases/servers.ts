/**
 * Real servers for the database tests, from Debian's packages: a PostgreSQL 15 (initdb in a temp
 * dir, pg_stat_statements preloaded, scram passwords) and a redis-server with requirepass, each
 * on a free 127.0.0.1 port, stopped after. The drill's postgres-0 and redis-0 forward to them.
 */
import { spawn } from 'node:child_process';
import { appendFile, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, waitForPort } from '../../../packages/drill-cluster/src/backends/free-port';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const SUPERUSER_PASSWORD = 'superuser-test-password';


/** PostgreSQL refuses to run as root: as root, its processes run as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) };
}
const AS = serverUser();

const run = (cmd: string, args: string[]) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(AS ?? {}) });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} failed (${code}): ${err}`))));
  });

export interface TestPostgres {
  host: string;
  port: number;
  /** A superuser session for asserting what the server itself reports. */
  admin(database?: string): Promise<pg.Client>;
  stop(): Promise<void>;
}

/** PostgreSQL 15 with pg_stat_statements, role `codesign` owning `codesign_db` (password set later by `setPassword`). */
export async function startPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cockpit-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  await writeFile(pwfile, SUPERUSER_PASSWORD);
  if (AS) {
    await chown(dir, AS.uid, AS.gid);
    await chown(pwfile, AS.uid, AS.gid);
  }
  await run(path.join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  await appendFile(
    path.join(data, 'postgresql.conf'),
    [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, "shared_preload_libraries = 'pg_stat_statements'", 'max_connections = 100', 'fsync = off', ''].join('\n'),
  );
  // Role `tlsonly` may connect over TLS only: a plain connection is refused with "no encryption".
  const hba = path.join(data, 'pg_hba.conf');
  await writeFile(hba, `hostssl all tlsonly 127.0.0.1/32 scram-sha-256\nhost all tlsonly 127.0.0.1/32 reject\n${await readFile(hba, 'utf8')}`);
  const child = spawn(path.join(PG_BIN, 'postgres'), ['-D', data], { stdio: 'ignore', ...(AS ?? {}) });
  await waitForPort(port, child, 'postgres', 30_000);
  const admin = async (database = 'postgres') => {
    for (let attempt = 0; ; attempt++) {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: SUPERUSER_PASSWORD, database });
      try {
        await client.connect();
        return client;
      } catch (error) {
        // "the database system is starting up" right after the port opens
        if (attempt > 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const setup = await admin();
  await setup.query("CREATE ROLE codesign LOGIN PASSWORD 'not-yet'");
  await setup.query("CREATE ROLE tlsonly LOGIN PASSWORD 'tls-only-password'");
  await setup.query('CREATE DATABASE codesign_db OWNER codesign');
  await setup.end();
  const db = await admin('codesign_db');
  await db.query('CREATE EXTENSION pg_stat_statements');
  await db.query('GRANT pg_read_all_stats, pg_signal_backend TO codesign');
  await db.query('SET ROLE codesign');
  await db.query(`CREATE TABLE designs (id serial PRIMARY KEY, owner_id int NOT NULL, title text NOT NULL);
    CREATE INDEX designs_owner_idx ON designs(owner_id);
    INSERT INTO designs (owner_id, title) SELECT g % 40, 'Design ' || g FROM generate_series(1, 500) g;
    DELETE FROM designs WHERE id % 5 = 0;`);
  await db.end();
  return {
    host: '127.0.0.1',
    port,
    admin,
    async stop() {
      child.kill('SIGINT');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TestRedis {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** redis-server with `--requirepass`, on `port` (chosen before the drill starts, so the drill can point at it). */
export async function startRedis(port: number, password: string): Promise<TestRedis> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cockpit-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no', '--dir', dir, '--slowlog-log-slower-than', '0'], {
    stdio: 'ignore',
  });
  await waitForPort(port, child, 'redis-server', 30_000);
  return {
    host: '127.0.0.1',
    port,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export { freePort };
