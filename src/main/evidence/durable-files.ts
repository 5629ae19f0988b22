import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { chmodSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/**
 * Creates a directory (and missing parents) readable by the owner only: 0700 whatever the umask,
 * also when it already existed with wider permissions (an older version created 0755).
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** `ensurePrivateDir` for the few synchronous callers (the logger at startup). */
export function ensurePrivateDirSync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Fsyncs a directory so a file created, renamed or removed in it survives a crash. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a whole file so that after a crash either the old or the new content is there:
 * temp file, fsync, rename over the target, fsync the directory.
 */
export async function writeFileDurably(target: string, content: Buffer | string): Promise<void> {
  const dir = path.dirname(target);
  await ensurePrivateDir(dir);
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(temp, target);
  await fsyncDirectory(dir);
}

/** Appends bytes to a file and fsyncs it (and its directory, when the file is new) before resolving. */
export async function appendDurably(target: string, content: Buffer | string): Promise<void> {
  const created = await open(target, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST') return undefined;
    throw err;
  });
  const handle = created ?? (await open(target, 'a', 0o600));
  try {
    await handle.appendFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (created) await fsyncDirectory(path.dirname(target));
}
