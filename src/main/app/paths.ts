import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or unpacked app) root: `out/main/*.js` sits two levels below it. */
export function appRoot(moduleUrl: string): string {
  return path.resolve(path.dirname(fileURLToPath(moduleUrl)), '..', '..');
}

/** `COCKPIT_DATA_DIR`, else the XDG data home (`~/.local/share/incident-cockpit`). */
export function defaultDataDir(): string {
  if (process.env.COCKPIT_DATA_DIR) return path.resolve(process.env.COCKPIT_DATA_DIR);
  const base = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'incident-cockpit');
}

export const BUNDLED_RUNBOOK = path.join('resources', 'runbooks', 'codesign-playground.yaml');
