/**
 * A real PostgreSQL server from Debian's packages (`/usr/lib/postgresql/<major>/bin`) for
 * postgres-0: initdb once in its data folder (kept across restarts), then the postmaster on a free
 * 127.0.0.1 port with `pg_stat_statements` preloaded and scram password auth over TCP (the drill
 * itself comes in as `postgres` over a private unix socket, so a kept folder works whatever the
 * freshly seeded Secret says; the caller then sets the passwords from it), stopped with
 * `pg_ctl stop -m fast`. A postmaster left behind by a killed drill is stopped, and a stale
 * `postmaster.pid` removed, before the next start.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './free-port';

const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_S = 10;

/** The server settings the drill runs with (the runbook's thresholds are read against `max_connections`). */
export const DRILL_POSTGRES_SETTINGS: Readonly<Record<string, string>> = {
  listen_addresses: '127.0.0.1',
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'all',
  max_connections: '200',
  superuser_reserved_connections: '3',
  shared_buffers: '32MB',
  // A drill's data is rebuilt from its seed at will: no fsync, so a start and the seed are quick.
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  log_destination: 'stderr',
  logging_collector: 'off',
  log_line_prefix: '%m [%p] ',
};

/** Debian's PostgreSQL server binaries, the newest major installed. */
export interface PostgresBinaries {
  binDir: string;
  /** `15.18` */
  version: string;
  /** `15.18 (Debian 15.18-0+deb12u1)` */
  serverVersion: string;
}

/** Finds the newest `/usr/lib/postgresql/<major>/bin` with postgres, initdb and pg_ctl; undefined when none. */
export function findPostgresBinaries(root = DEBIAN_POSTGRES_ROOT): PostgresBinaries | undefined {
  let majors: string[];
  try {
    majors = readdirSync(root).filter((name) => /^\d+(\.\d+)?$/.test(name));
  } catch {
    return undefined;
  }
  majors.sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const binDir = path.join(root, major, 'bin');
    if (!['postgres', 'initdb', 'pg_ctl'].every((tool) => existsSync(path.join(binDir, tool)))) continue;
    try {
      const text = execFileSync(path.join(binDir, 'postgres'), ['--version'], { encoding: 'utf8', timeout: 5000 }).trim();
      const parsed = parsePostgresVersion(text);
      if (parsed) return { binDir, ...parsed };
    } catch {
      // a broken install: try the next major
    }
  }
  return undefined;
}

/** `postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` → `15.18` and the server_version. */
export function parsePostgresVersion(text: string): { version: string; serverVersion: string } | undefined {
  const match = /\(PostgreSQL\)\s+((\d+(?:\.\d+)?)\S*(?:\s+\(.*\))?)\s*$/.exec(text.trim());
  if (!match) return undefined;
  return { version: match[2] as string, serverVersion: match[1] as string };
}

/** Who the server runs as: ourselves, or (when we are root, which initdb refuses) the `postgres` system user. */
interface ServerUser {
  uid?: number;
  gid?: number;
}

function serverUser(): ServerUser {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  for (const wanted of ['postgres', 'nobody']) {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${wanted}:`));
    const fields = line?.split(':');
    if (fields && fields.length > 3) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error('running as root, and there is no postgres or nobody user to run PostgreSQL as');
}

/** Whether `user` can walk down to `dir` (every ancestor searchable). */
function reachable(dir: string, user: ServerUser): boolean {
  if (user.uid === undefined) return true;
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    let stat;
    try {
      stat = statSync(current);
    } catch {
      return false;
    }
    const bit = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

export interface PostgresServerOptions {
  binaries: PostgresBinaries;
  /** Where the cluster lives (`<data>/drill/postgres`); a temp dir, removed on stop, when absent. */
  dataDir?: string;
}

/** Only the drill's own admin connection uses the socket; every TCP client needs its password. */
const PG_HBA = `# Written by the drill cluster at every start.
local all postgres trust
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
`;

/** The outcome of a start, for the control API and the measurements. */
export interface PostgresServerStart {
  port: number;
  /** The private directory of the unix socket the drill administers the server through (trust, superuser). */
  socketDir: string;
  dataDir: string;
  initialised: boolean;
  /** A postmaster of an earlier, killed drill that had to be stopped, or a stale pid file removed. */
  recovered?: 'orphan-stopped' | 'stale-pid-removed';
  ms: number;
}

export class PostgresServer {
  private child: ChildProcess | undefined;
  private dir: string | undefined;
  private tempRoot: string | undefined;
  private socketDir: string | undefined;
  private readonly user = serverUser();
  private readonly onExit = (): void => {
    // The drill's own exit path (process.exit): a fast shutdown, without waiting.
    if (this.child?.pid && this.child.exitCode === null) {
      try {
        process.kill(this.child.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  };

  constructor(private readonly options: PostgresServerOptions) {}

  /** initdb when needed, then the postmaster; resolves when it accepts connections. */
  async start(): Promise<PostgresServerStart> {
    const began = Date.now();
    const dir = await this.dataDirectory();
    this.dir = dir;
    const initialised = await this.initdbIfNeeded(dir);
    const recovered = await this.clearStalePostmaster(dir);
    await writeFile(path.join(dir, 'pg_hba.conf'), PG_HBA, { mode: 0o600 });
    this.owned(path.join(dir, 'pg_hba.conf'));
    // Short (a socket path has ~107 bytes), private (0700, the server user's), one per data folder
    // (so a killed drill leaves none behind to pile up).
    const socketDir = path.join(tmpdir(), `drill-pg-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`);
    await rm(socketDir, { recursive: true, force: true });
    await mkdir(socketDir, { mode: 0o700 });
    this.owned(socketDir);
    this.socketDir = socketDir;
    const port = await freePort();
    const logFile = await open(`${dir}.log`, 'a', 0o600);
    const args = ['-D', dir, '-c', `port=${port}`, '-c', `unix_socket_directories=${socketDir}`];
    for (const [name, value] of Object.entries(DRILL_POSTGRES_SETTINGS)) args.push('-c', `${name}=${value}`);
    const child = spawn(path.join(this.options.binaries.binDir, 'postgres'), args, {
      stdio: ['ignore', logFile.fd, logFile.fd],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
      ...this.user,
    });
    await logFile.close();
    this.child = child;
    child.on('error', () => undefined);
    process.on('exit', this.onExit);
    await this.waitUntilReady(port, socketDir, child, dir);
    return { port, socketDir, dataDir: dir, initialised, ...(recovered ? { recovered } : {}), ms: Date.now() - began };
  }

  /** `pg_ctl stop -m fast`; SIGKILL if it does not stop in time. Removes a temp data dir. */
  async stop(): Promise<void> {
    process.off('exit', this.onExit);
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null && this.dir) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const pgCtl = spawn(path.join(this.options.binaries.binDir, 'pg_ctl'), ['stop', '-D', this.dir, '-m', 'fast', '-w', '-t', String(STOP_TIMEOUT_S)], {
        stdio: 'ignore',
        ...this.user,
      });
      pgCtl.on('error', () => child.kill('SIGINT'));
      const timer = setTimeout(() => child.kill('SIGKILL'), (STOP_TIMEOUT_S + 2) * 1000);
      await exited;
      clearTimeout(timer);
    }
    if (this.tempRoot) await rm(this.tempRoot, { recursive: true, force: true });
    this.tempRoot = undefined;
    if (this.socketDir) await rm(this.socketDir, { recursive: true, force: true });
    this.socketDir = undefined;
  }

  /** The postmaster's pid while it runs (tests kill it to play a crash). */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  private async dataDirectory(): Promise<string> {
    let dir: string;
    if (this.options.dataDir) {
      dir = path.resolve(this.options.dataDir);
      if (!reachable(dir, this.user)) {
        // Root's data folder is private (0700): keep the cluster where the postgres user can reach it.
        const origin = dir;
        const tag = createHash('sha256').update(origin).digest('hex').slice(0, 12);
        dir = path.join(ROOT_FALLBACK_DIR, `postgres-${tag}`);
        await mkdir(ROOT_FALLBACK_DIR, { recursive: true, mode: 0o711 });
        chmodSync(ROOT_FALLBACK_DIR, 0o711);
        await pruneOrphanedFallbacks(dir);
        await writeFile(`${dir}.origin`, `${origin}\n`, { mode: 0o600 });
      }
      await mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
    } else {
      this.tempRoot = await mkdtemp(path.join(tmpdir(), 'drill-postgres-'));
      dir = path.join(this.tempRoot, 'postgres');
      if (this.user.uid !== undefined) {
        chownSync(this.tempRoot, this.user.uid, this.user.gid ?? 0);
        chmodSync(this.tempRoot, 0o700);
      }
    }
    return dir;
  }

  private owned(target: string): void {
    if (this.user.uid !== undefined) chownSync(target, this.user.uid, this.user.gid ?? 0);
  }

  private async initdbIfNeeded(dir: string): Promise<boolean> {
    const versionFile = path.join(dir, 'PG_VERSION');
    const major = this.options.binaries.version.split('.')[0] as string;
    if (existsSync(versionFile)) {
      const existing = (await readFile(versionFile, 'utf8')).trim();
      if (existing === major) return false;
      // Made by another major: keep it aside rather than refuse to start.
      await rename(dir, `${dir}.pg${existing}-${Date.now()}`);
    } else if (existsSync(dir)) {
      // A half-made cluster (initdb interrupted): start over.
      await rm(dir, { recursive: true, force: true });
    }
    await mkdir(dir, { recursive: true, mode: 0o700 });
    this.owned(dir);
    const result = spawnSync(
      path.join(this.options.binaries.binDir, 'initdb'),
      ['-D', dir, '-U', 'postgres', '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      { encoding: 'utf8', timeout: 120_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' }, ...this.user },
    );
    if (result.status !== 0) throw new Error(`initdb failed: ${(result.stderr || result.stdout || String(result.error ?? '')).trim().split('\n').slice(-3).join(' ')}`);
    return true;
  }

  /** A postmaster.pid left by a drill that was killed: stop its orphan, or drop the file if its pid is gone. */
  private async clearStalePostmaster(dir: string): Promise<PostgresServerStart['recovered']> {
    const pidFile = path.join(dir, 'postmaster.pid');
    if (!existsSync(pidFile)) return undefined;
    const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0 && isPostgresProcess(pid)) {
      spawnSync(path.join(this.options.binaries.binDir, 'pg_ctl'), ['stop', '-D', dir, '-m', 'fast', '-w', '-t', String(STOP_TIMEOUT_S)], { stdio: 'ignore', ...this.user });
      if (isPostgresProcess(pid)) {
        process.kill(pid, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 200));
      }
      if (existsSync(pidFile)) await rm(pidFile, { force: true });
      return 'orphan-stopped';
    }
    await rm(pidFile, { force: true });
    return 'stale-pid-removed';
  }

  private async waitUntilReady(port: number, socketDir: string, child: ChildProcess, dir: string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = '';
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        const log = await readFile(`${dir}.log`, 'utf8').catch(() => '');
        throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}): ${log.trim().split('\n').slice(-3).join(' ')}`);
      }
      const client = new pg.Client({ host: socketDir, port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.end();
        return;
      } catch (error) {
        last = (error as Error).message;
        await client.end().catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`postgres did not accept connections within ${READY_TIMEOUT_MS / 1000} s (${last})`);
  }
}

/** Where root's clusters go when the data folder is out of the postgres user's reach. */
const ROOT_FALLBACK_DIR = path.join('/var/tmp', 'incident-cockpit-drill');

/**
 * Removes the fallback clusters whose data folder is gone (a test's temp dir, a deleted profile),
 * unless a postmaster still runs on them; `keep` is the one about to be used.
 */
async function pruneOrphanedFallbacks(keep: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(ROOT_FALLBACK_DIR);
  } catch {
    return;
  }
  for (const name of names.filter((n) => n.endsWith('.origin'))) {
    const cluster = path.join(ROOT_FALLBACK_DIR, name.slice(0, -'.origin'.length));
    if (cluster === keep) continue;
    const origin = (await readFile(path.join(ROOT_FALLBACK_DIR, name), 'utf8').catch(() => '')).trim();
    if (!origin || existsSync(origin)) continue;
    const pid = Number((await readFile(path.join(cluster, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0 && isPostgresProcess(pid)) continue;
    await rm(cluster, { recursive: true, force: true });
    await rm(`${cluster}.log`, { force: true });
    await rm(path.join(ROOT_FALLBACK_DIR, name), { force: true });
  }
}

function isPostgresProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return /postgres/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}
