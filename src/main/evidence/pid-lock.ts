import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { link, open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/**
 * An exclusive lock file holding the owner's PID and process start time, created atomically
 * (written to a temp file, then `link`ed into place, which fails if the lock exists, so a lock is
 * never seen half-written). A lock whose process is gone, or whose PID now belongs to a process
 * started at another time (a reused PID), is stale and taken over; a live one is refused.
 * Chosen over proper-lockfile, whose mtime-based staleness makes a crashed owner's lock wait out
 * its stale timeout (seconds per crash) and needs a timer per lock.
 */
export interface LockOwner {
  pid: number;
  /** Process start time as the OS reports it (Linux: clock ticks since boot), when known. */
  startTime?: string;
  host: string;
  /** Random per acquisition: two holders in one process are told apart. */
  token: string;
  purpose: string;
  at: string;
}

export type LockAttempt = { acquired: true; lock: HeldLock } | { acquired: false; holder: LockOwner; file: string };

/** A lock this process holds; `release` removes it only while it still names this holder. */
export interface HeldLock {
  readonly file: string;
  readonly owner: LockOwner;
  release(): Promise<void>;
  /** The same, synchronously (for `IDisposable.dispose` and exit paths). */
  releaseSync(): void;
  /** Whether the file on disk still names this holder. */
  stillHeld(): Promise<boolean>;
}

let ownStartTime: string | undefined | null = null;

/** The start time of a process, used to tell a reused PID from the owner; undefined when unknown. */
export function processStartTime(pid: number): string | undefined {
  if (pid === process.pid && ownStartTime !== null) return ownStartTime;
  let value: string | undefined;
  try {
    if (process.platform === 'linux') {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command (which may hold spaces and parentheses): field 22 is starttime.
      value = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    } else if (process.platform !== 'win32') {
      value = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000 }).trim() || undefined;
    }
  } catch {
    value = undefined;
  }
  if (pid === process.pid) ownStartTime = value;
  return value;
}

/** Whether the process a lock names is still the one that took it. */
export function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // another machine (a shared folder): never judged stale from here
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.startTime === undefined) return true;
  const now = processStartTime(owner.pid);
  return now === undefined || now === owner.startTime;
}

async function readOwner(file: string): Promise<LockOwner | undefined | 'absent'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.token === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

const TAKEOVER_STALE_MS = 10_000;

/**
 * Tries to take the lock at `file` once: creates it, or takes over a stale one, or answers who
 * holds it. Takeovers are serialised by a short-lived `<file>.takeover` guard, so two processes
 * that both find the same stale lock cannot both end up holding it.
 */
export async function tryAcquireLock(file: string, purpose: string): Promise<LockAttempt> {
  const startTime = processStartTime(process.pid);
  const owner: LockOwner = {
    pid: process.pid,
    ...(startTime === undefined ? {} : { startTime }),
    host: hostname(),
    token: randomBytes(12).toString('hex'),
    purpose,
    at: new Date().toISOString(),
  };
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${owner.token}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  // No fsync: after a power cut every owner is gone, so a lock lost with it is stale anyway.
  try {
    await handle.writeFile(JSON.stringify(owner));
  } finally {
    await handle.close();
  }
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(temp, file);
        return { acquired: true, lock: heldLock(file, owner) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const current = await readOwner(file);
      if (current === 'absent') continue;
      if (current && ownerAlive(current)) return { acquired: false, holder: current, file };
      if (!(await takeOverStale(file, current))) {
        const now = await readOwner(file);
        if (now !== 'absent' && now && ownerAlive(now)) return { acquired: false, holder: now, file };
      }
    }
    const holder = await readOwner(file);
    throw new Error(`could not take the lock ${file}${holder && holder !== 'absent' ? ` (held by process ${holder.pid})` : ''}`);
  } finally {
    await rm(temp, { force: true });
  }
}

/** Removes a stale lock under the takeover guard if it is still the same stale lock. */
async function takeOverStale(file: string, stale: LockOwner | undefined): Promise<boolean> {
  const guard = `${file}.takeover`;
  const guardHandle = await open(guard, 'wx', 0o600).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
    const info = await stat(guard).catch(() => undefined);
    // A guard left by a process that died mid-takeover.
    if (info && Date.now() - info.mtimeMs > TAKEOVER_STALE_MS) await rm(guard, { force: true });
    return undefined;
  });
  if (!guardHandle) return false;
  try {
    const again = await readOwner(file);
    const same = again === 'absent' || (again === undefined && stale === undefined) || (again && stale && again.token === stale.token);
    if (!same) return false;
    if (again !== 'absent' && again && ownerAlive(again)) return false;
    await rm(file, { force: true });
    return true;
  } finally {
    await guardHandle.close();
    await rm(guard, { force: true });
  }
}

function heldLock(file: string, owner: LockOwner): HeldLock {
  let released = false;
  const stillHeld = async (): Promise<boolean> => {
    const current = await readOwner(file).catch(() => undefined);
    return current !== undefined && current !== 'absent' && current.token === owner.token;
  };
  return {
    file,
    owner,
    stillHeld,
    async release() {
      if (released) return;
      released = true;
      if (await stillHeld()) await rm(file, { force: true });
    },
    releaseSync() {
      if (released) return;
      released = true;
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as LockOwner).token === owner.token) rmSync(file, { force: true });
      } catch {
        // gone already, or no longer ours
      }
    },
  };
}

/** Who holds the lock at `file`, when a live process does (readers ask, never take). */
export async function liveLockHolder(file: string): Promise<LockOwner | undefined> {
  const owner = await readOwner(file).catch(() => undefined);
  if (!owner || owner === 'absent') return undefined;
  return ownerAlive(owner) ? owner : undefined;
}
