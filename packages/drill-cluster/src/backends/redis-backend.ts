/**
 * The Redis that `redis-0` fronts: an address the caller gives, else a `redis-server` from PATH
 * started on a free 127.0.0.1 port in a temp dir (no persistence), stopped on close.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DrillBackendAddress } from '../types';
import { freePort, waitForPort } from './free-port';

export type RedisBackendOption = DrillBackendAddress | 'auto' | 'none';

export const NO_REDIS_MESSAGE = 'no Redis backend: install redis-server or configure one';

export interface RedisEndpoint extends DrillBackendAddress {
  /** The password the server requires, when we started it with one. */
  password?: string;
}

/** Finds `redis-server` on PATH without spawning a shell. */
async function findRedisServer(): Promise<string | undefined> {
  const { access, constants } = await import('node:fs/promises');
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'redis-server');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}



/** Starts (once, on first `address()`) and stops the Redis backend. */
export class RedisBackend {
  private starting: Promise<RedisEndpoint | undefined> | undefined;
  private child: ChildProcess | undefined;
  private dir: string | undefined;

  constructor(
    private readonly option: RedisBackendOption = 'auto',
    /** The redis-password to require; read lazily (from the pod's env) on first start. */
    private readonly password?: () => string | undefined,
  ) {}

  /** The backend's address; undefined when none is configured and no `redis-server` is on PATH. */
  address(): Promise<RedisEndpoint | undefined> {
    this.starting ??= this.start();
    return this.starting;
  }

  private async start(): Promise<RedisEndpoint | undefined> {
    if (this.option === 'none') return undefined;
    if (this.option !== 'auto') return { ...this.option };
    const binary = await findRedisServer();
    if (!binary) return undefined;
    const port = await freePort();
    this.dir = await mkdtemp(path.join(tmpdir(), 'drill-redis-'));
    const password = this.password?.();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    // The password goes through the config on stdin, never on the command line where `ps` shows it.
    const child = spawn(binary, ['-', ...args], { stdio: ['pipe', 'ignore', 'ignore'], cwd: this.dir });
    child.stdin?.end(password ? `requirepass "${password.replace(/["\\]/g, (c) => `\\${c}`)}"\n` : '\n');
    this.child = child;
    await waitForPort(port, child, 'redis-server', 10_000);
    return { host: '127.0.0.1', port, ...(password ? { password } : {}) };
  }

  async close(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    if (!starting) return;
    await starting.catch(() => undefined);
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
