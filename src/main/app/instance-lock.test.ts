import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { acquireInstanceLock, instanceLockFile } from './instance-lock';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'instance-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('acquireInstanceLock', () => {
  it('refuses a live holder, naming the directory and its PID', async () => {
    // A live process other than this one holds the lock.
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(instanceLockFile(dir), JSON.stringify({ pid: child.pid, host: hostname(), token: 't', purpose: 'web host', at: '2026-12-01T20:00:00Z' }));
      const refused = acquireInstanceLock(dir);
      await expect(refused).rejects.toMatchObject({ code: 'Locked' });
      const message = (await refused.catch((e: Error) => e.message)) as string;
      expect(message).toContain(dir);
      expect(message).toContain(`process ${child.pid}`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a second lock in the same process and releases on dispose', async () => {
    const lock = await acquireInstanceLock(dir);
    await expect(acquireInstanceLock(dir)).rejects.toMatchObject({ code: 'Locked', message: expect.stringContaining(`process ${process.pid}`) });
    lock.dispose();
    expect(await stat(instanceLockFile(dir)).catch(() => undefined)).toBeUndefined();
    const again = await acquireInstanceLock(dir);
    await again.release();
  });

  it('takes over a stale lock: the process is gone, or its PID now belongs to a later process', async () => {
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => dead.on('exit', resolve));
    await writeFile(instanceLockFile(dir), JSON.stringify({ pid: dead.pid, host: hostname(), token: 'old', purpose: 'web host', at: 'then' }));
    const lock = await acquireInstanceLock(dir);
    expect(JSON.parse(await readFile(instanceLockFile(dir), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.dispose();
    if (process.platform === 'linux') {
      await writeFile(instanceLockFile(dir), JSON.stringify({ pid: process.pid, startTime: '1', host: hostname(), token: 'reused', purpose: 'web host', at: 'then' }));
      const taken = await acquireInstanceLock(dir);
      expect(JSON.parse(await readFile(instanceLockFile(dir), 'utf8'))).toMatchObject({ pid: process.pid, token: taken.owner.token });
      await taken.release();
    }
  });

  it('creates the data directory private (0700)', async () => {
    const nested = path.join(dir, 'data');
    const lock = await acquireInstanceLock(nested);
    expect((await stat(nested)).mode & 0o777).toBe(0o700);
    expect((await stat(instanceLockFile(nested))).mode & 0o777).toBe(0o600);
    lock.dispose();
  });
});
