import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Creates `dir` (and parents) readable by this user only: 0700 whatever the umask. */
export async function mkdirPrivately(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** Writes `file` readable by this user only: 0600 whatever the umask, in a private folder. */
export async function writeFilePrivately(file: string, data: string | Uint8Array): Promise<void> {
  await mkdirPrivately(path.dirname(file));
  await writeFile(file, data, { mode: 0o600 });
  await chmod(file, 0o600);
}
