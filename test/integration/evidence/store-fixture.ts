import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EvidenceVault } from '../../../src/main/evidence/evidence-vault';
import { EvidenceStore } from '../../../src/main/evidence/evidence-store';
import { EvidenceService } from '../../../src/main/evidence/evidence-service';
import { scanLog } from '../../../src/main/evidence/log-frames';

export const PASSPHRASE = 'integration passphrase';
export const FAST_SCRYPT = { N: 2 ** 12, r: 8, p: 1 };

export interface StoreFixture {
  root: string;
  vault: EvidenceVault;
  store: EvidenceStore;
  service: EvidenceService;
  /** A fresh vault + store over the same directory, as after a restart. */
  reopen(): Promise<{ vault: EvidenceVault; store: EvidenceStore; service: EvidenceService }>;
  logDir(logId: string): string;
  recordsPath(logId: string): string;
  /** Byte offsets where each frame starts, plus the end. */
  boundaries(logId: string): Promise<number[]>;
  dispose(): Promise<void>;
}

export async function makeStore(prefix = 'evidence-it-'): Promise<StoreFixture> {
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  const vault = new EvidenceVault({ dir: root, scrypt: FAST_SCRYPT });
  await vault.initialise(PASSPHRASE);
  const store = new EvidenceStore({ vault });
  const opened: EvidenceStore[] = [store];
  const fixture: StoreFixture = {
    root,
    vault,
    store,
    service: new EvidenceService(vault, store),
    async reopen() {
      const v = new EvidenceVault({ dir: root, scrypt: FAST_SCRYPT });
      await v.unlock(PASSPHRASE);
      const s = new EvidenceStore({ vault: v });
      opened.push(s);
      return { vault: v, store: s, service: new EvidenceService(v, s) };
    },
    logDir: (logId) => path.join(root, 'logs', logId),
    recordsPath: (logId) => path.join(root, 'logs', logId, 'records.log'),
    async boundaries(logId) {
      const bytes = await readFile(fixture.recordsPath(logId));
      const scan = scanLog(bytes, logId);
      return [...scan.frames.map((f) => f.offset), scan.validEnd];
    },
    async dispose() {
      await Promise.all(opened.map((s) => s.closeAll()));
      await rm(root, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Rewrites a file with `edit` applied to its bytes. */
export async function editFile(file: string, edit: (bytes: Buffer) => Buffer): Promise<void> {
  await writeFile(file, edit(await readFile(file)));
}
