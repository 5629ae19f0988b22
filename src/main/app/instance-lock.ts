import path from 'node:path';
import type { IDisposable } from '../../shared/lifetimes';
import { CockpitFailure } from '../../shared/result';
import { ensurePrivateDir } from '../evidence/durable-files';
import { tryAcquireLock, type LockOwner } from '../evidence/pid-lock';

/** The lock file in a data directory: one cockpit (Electron or web host) per directory. */
export const instanceLockFile = (dataDir: string): string => path.join(dataDir, 'cockpit.lock');

/** A held instance lock: dispose (or `release`) when the host stops; a crash leaves it stale, and the next start takes it over. */
export interface InstanceLock extends IDisposable {
  readonly file: string;
  readonly owner: LockOwner;
  release(): Promise<void>;
}

/**
 * Takes the data directory's instance lock (the same PID + process-start-time lock file as the
 * evidence writer lock): a lock left by a process that is gone, or whose PID was reused, is taken
 * over; a live one is refused with `Locked`, naming the directory and the PID holding it, so a
 * second web host on one directory says so in one line instead of sharing its evidence logs.
 */
export async function acquireInstanceLock(dataDir: string, purpose = 'incident cockpit'): Promise<InstanceLock> {
  const dir = path.resolve(dataDir);
  await ensurePrivateDir(dir);
  const attempt = await tryAcquireLock(instanceLockFile(dir), purpose);
  if (!attempt.acquired) {
    const h = attempt.holder;
    throw new CockpitFailure(
      'Locked',
      `Another cockpit is already running on the data directory ${dir} (process ${h.pid}, ${h.purpose}, since ${h.at}); stop it, or start with another --data-dir.`,
      attempt.file,
    );
  }
  const { lock } = attempt;
  return {
    file: lock.file,
    owner: lock.owner,
    release: () => lock.release(),
    dispose: () => lock.releaseSync(),
  };
}
