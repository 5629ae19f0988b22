import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const tsx = path.resolve(here, '../../../node_modules/.bin/tsx');

describe('private files (issue 14)', () => {
  it('makes every directory 0700 and every file 0600 under the data dir, even with umask 000', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'private-files-'));
    const dataDir = path.join(root, 'data');
    const child = spawn('sh', ['-c', 'umask 000 && exec "$0" "$@"', tsx, path.join(here, 'private-files-child.ts'), dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => d.includes('done') && resolve());
        child.on('exit', (code) => reject(new Error(`child exited ${code}: ${err}`)));
      });
      const wrong: string[] = [];
      const seen = new Set<string>();
      const walk = async (dir: string): Promise<void> => {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          const mode = (await stat(full)).mode & 0o777;
          const rel = path.relative(dataDir, full);
          seen.add(entry.isDirectory() ? `${rel}/` : rel);
          if (entry.isDirectory()) {
            if (mode !== 0o700) wrong.push(`${rel}/ ${mode.toString(8)}`);
            await walk(full);
          } else if (mode !== 0o600) wrong.push(`${rel} ${mode.toString(8)}`);
        }
      };
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      await walk(dataDir);
      expect(wrong).toEqual([]);
      // What the walk covered: the places the issue names.
      for (const expected of ['logs/', 'logs/cockpit.log', 'cockpit.lock', 'evidence/', 'evidence/vault.json', 'evidence/logs/inc-private/', 'evidence/logs/inc-private/writer.lock', 'evidence/logs/inc-private/quarantine/', 'exports/']) {
        expect([...seen], expected).toContain(expected);
      }
      expect([...seen].some((n) => n.startsWith('exports/') && n.endsWith('.age'))).toBe(true);
      expect([...seen].some((n) => n.startsWith('evidence/logs/inc-private/attachments/') && n.endsWith('.att'))).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await rm(root, { recursive: true, force: true });
    }
  });
});
