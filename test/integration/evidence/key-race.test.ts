import { describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { EvidenceVault } from '../../../src/main/evidence/evidence-vault';
import { EvidenceStore } from '../../../src/main/evidence/evidence-store';
import { dataKeyLabel } from '../../../src/main/evidence/record-sealing';
import { unwrapSecret } from '../../../src/main/evidence/sealing';
import { FAST_SCRYPT, makeStore, PASSPHRASE } from './store-fixture';

describe('key lifetime (issue 14)', () => {
  it('interleaves lock and unlock with opens and appends: no spurious Corrupt, every key file unwraps under the real key', async () => {
    const fx = await makeStore('evidence-key-race-');
    try {
      const realKey = Buffer.from(fx.vault.masterKey());
      const vault = fx.vault;
      const store = fx.store;
      const errors: string[] = [];
      let ok = 0;
      let locked = 0;
      await store.append('race-warm', { type: 'race.tick', body: 'warm up the redactor' });
      for (let round = 0; round < 30; round++) {
        const work: Array<Promise<unknown>> = [];
        for (let i = 0; i < 6; i++) {
          // New logs (key files created and wrapped) and appends to existing ones, all in flight.
          const logId = i % 2 === 0 ? `race-${round}-${i}` : `race-shared-${i}`;
          work.push(
            store.append(logId, { type: 'race.tick', body: { round, i } }).then(
              () => ok++,
              (err: Error & { code?: string }) => {
                if (err.code === 'Locked') locked++;
                else errors.push(`${err.code}: ${err.message}`);
              },
            ),
          );
        }
        // Lock at a random moment while that work runs, then unlock again.
        await new Promise((r) => setTimeout(r, Math.random() * 40));
        await vault.lock();
        await Promise.all(work);
        await vault.unlock(PASSPHRASE);
      }
      expect(errors).toEqual([]);
      // The locks really landed among the appends: some finished, some were refused.
      expect(ok).toBeGreaterThan(0);
      expect(locked).toBeGreaterThan(0);
      const logs = await readdir(path.join(fx.root, 'logs'));
      expect(logs.length).toBeGreaterThan(3);
      for (const logId of logs) {
        const content = JSON.parse(await readFile(path.join(fx.root, 'logs', logId, 'key.json'), 'utf8')) as { keyVersion: number; wrapped: string };
        expect(() => unwrapSecret(realKey, dataKeyLabel(logId, content.keyVersion), Buffer.from(content.wrapped, 'base64')), logId).not.toThrow();
      }
      // And every log reads back whole through a fresh vault.
      const fresh = new EvidenceVault({ dir: fx.root, scrypt: FAST_SCRYPT });
      await fresh.unlock(PASSPHRASE);
      const reader = new EvidenceStore({ vault: fresh });
      for (const logId of logs) expect((await reader.verify(logId)).status, logId).toMatch(/^(ok|repaired)$/);
      await reader.dispose();
    } finally {
      await fx.dispose();
    }
  });
});
