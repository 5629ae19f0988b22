/**
 * Crash-test child: opens the store, appends records in a loop and prints `ack <seq>` after each
 * append resolves (i.e. after fsync). Every 10th record carries an attachment sealed just before
 * it; every 25th is followed by a checkpoint. The parent SIGKILLs it at random moments.
 * argv: <store dir> <log id> ; env COCKPIT_EVIDENCE_PASSPHRASE.
 */
import { EvidenceVault } from '../../../src/main/evidence/evidence-vault';
import { EvidenceStore } from '../../../src/main/evidence/evidence-store';

const [dir, logId] = process.argv.slice(2) as [string, string];
const vault = new EvidenceVault({ dir, scrypt: { N: 2 ** 12, r: 8, p: 1 } });
await vault.unlock(process.env.COCKPIT_EVIDENCE_PASSPHRASE ?? '');
const store = new EvidenceStore({ vault, frameWritePieces: 48 });
const existing = await store.read(logId).catch((err: Error & { code?: string }) => {
  if (err.code === 'NotFound') return [];
  process.stdout.write(`error ${err.code ?? ''} ${err.message}\n`);
  process.exit(3);
});
await store.redactor.redactText('warm up the redactor before the parent starts its kill timer');
process.stdout.write(`ready ${existing.length}\n`);
for (let i = existing.length + 1; ; i++) {
  let attachments: string[] | undefined;
  if (i % 10 === 0) {
    const { sha256 } = await store.putAttachment(
      logId,
      (async function* () {
        for (let c = 0; c < 4; c++) yield Buffer.alloc(16 * 1024, `attachment ${i} chunk ${c} `);
      })(),
      { text: false },
    );
    attachments = [sha256];
  }
  const record = await store.append(logId, { type: 'crash.tick', body: { i, note: `tick ${i} `.padEnd(40 + (i % 200), 'x') }, ...(attachments ? { attachments } : {}) });
  process.stdout.write(`ack ${record.seq}\n`);
  if (i % 25 === 0) await store.checkpoint(logId, `tick ${i}`);
}
