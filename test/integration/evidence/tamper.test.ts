import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeFrame, scanLog } from '../../../src/main/evidence/log-frames';
import { EvidenceStore } from '../../../src/main/evidence/evidence-store';
import { editFile, makeStore, type StoreFixture } from './store-fixture';

const LOG = 'inc-tamper';
const COUNT = 8;
let fx: StoreFixture;

beforeEach(async () => {
  fx = await makeStore();
  for (let i = 1; i <= COUNT; i++) {
    await fx.store.append(LOG, { type: 'note.revised', body: { text: `revision ${i}`, pad: 'p'.repeat(i * 13) } });
  }
  // As a crash leaves it: no closing checkpoint, so nothing covers the last records.
  await fx.store.closeAll({ checkpoint: false });
});
afterEach(async () => {
  await fx.dispose();
});

async function verdict() {
  const { store } = await fx.reopen();
  return store.verify(LOG);
}

describe('tamper detection', () => {
  it('reports a flipped byte at every position of every record but the last at that record’s seq', async () => {
    const original = await readFile(fx.recordsPath(LOG));
    const bounds = await fx.boundaries(LOG);
    const { store } = await fx.reopen();
    for (let seq = 1; seq < COUNT; seq++) {
      const start = bounds[seq - 1]!;
      const end = bounds[seq]!;
      // Every byte of the frame prefix and header, then a stride through the sealed body.
      const positions = [...Array.from({ length: 8 + 55 }, (_, i) => start + i), ...Array.from({ length: 20 }, (_, i) => start + 63 + Math.floor(((end - start - 63) * i) / 20))];
      for (const position of positions) {
        const damaged = Buffer.from(original);
        damaged[position] ^= 0x01;
        await writeFile(fx.recordsPath(LOG), damaged);
        const result = await store.verify(LOG);
        expect(result.status, `seq ${seq} byte ${position - start}`).toBe('corrupt');
        expect(result.corruptAtSeq, `seq ${seq} byte ${position - start}`).toBe(seq);
      }
    }
    await writeFile(fx.recordsPath(LOG), original);
    expect((await store.verify(LOG)).status).toBe('ok');
  });

  it('catches a re-sealed frame with a recomputed CRC (only the key can tell) at its seq', async () => {
    const bytes = await readFile(fx.recordsPath(LOG));
    const frame = scanLog(bytes, LOG).frames[COUNT - 1]!;
    const sealed = Buffer.from(frame.sealed);
    sealed[3] ^= 0x20;
    const forged = encodeFrame(frame.header, frame.nonce, sealed);
    await writeFile(fx.recordsPath(LOG), Buffer.concat([bytes.subarray(0, frame.offset), forged]));
    expect(await verdict()).toMatchObject({ status: 'corrupt', corruptAtSeq: COUNT });
  });

  it('reports a damaged last record as corruption even when no checkpoint covers it, and cuts nothing', async () => {
    const bounds = await fx.boundaries(LOG);
    const size = bounds[COUNT]!;
    for (const offset of [4, 8, 30, 60, size - bounds[COUNT - 1]! - 1]) {
      const original = await readFile(fx.recordsPath(LOG));
      await editFile(fx.recordsPath(LOG), (b) => {
        const d = Buffer.from(b);
        d[bounds[COUNT - 1]! + offset] ^= 1;
        return d;
      });
      expect(await verdict(), `byte ${offset} of the last record`).toMatchObject({ status: 'corrupt', corruptAtSeq: COUNT });
      expect((await readFile(fx.recordsPath(LOG))).length).toBe(size);
      await writeFile(fx.recordsPath(LOG), original);
    }
  });

  it('cuts a last record that is really short, keeps it in quarantine and lists the cut tail', async () => {
    const bounds = await fx.boundaries(LOG);
    await editFile(fx.recordsPath(LOG), (b) => b.subarray(0, bounds[COUNT]! - 5));
    const result = await verdict();
    expect(result).toMatchObject({ status: 'repaired', records: COUNT - 1 });
    const quarantined = await readdir(path.join(fx.logDir(LOG), 'quarantine'));
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]).toMatch(new RegExp(`after-seq-${COUNT - 1}\\.bin$`));
    expect(result.cutTails).toEqual([expect.objectContaining({ afterSeq: COUNT - 1, bytes: bounds[COUNT]! - 5 - bounds[COUNT - 1]! })]);
  });

  it('reports the damaged last record as corruption when a checkpoint covers it', async () => {
    const { store } = await fx.reopen();
    await store.checkpoint(LOG, 'status: mitigated');
    await store.closeAll();
    const bounds = await fx.boundaries(LOG);
    await editFile(fx.recordsPath(LOG), (b) => {
      const d = Buffer.from(b);
      d[bounds[COUNT - 1]! + 30] ^= 1;
      return d;
    });
    const result = await verdict();
    expect(result).toMatchObject({ status: 'corrupt', corruptAtSeq: COUNT });
    expect((await readFile(fx.recordsPath(LOG))).length).toBe(bounds[COUNT]);
  });

  it('reports two swapped records at the first one', async () => {
    const b = await fx.boundaries(LOG);
    await editFile(fx.recordsPath(LOG), (bytes) =>
      Buffer.concat([bytes.subarray(0, b[3]!), bytes.subarray(b[4]!, b[5]!), bytes.subarray(b[3]!, b[4]!), bytes.subarray(b[5]!)]),
    );
    expect(await verdict()).toMatchObject({ status: 'corrupt', corruptAtSeq: 4 });
  });

  it('reports a deleted record at its seq and truncates nothing', async () => {
    const b = await fx.boundaries(LOG);
    await editFile(fx.recordsPath(LOG), (bytes) => Buffer.concat([bytes.subarray(0, b[5]!), bytes.subarray(b[6]!)]));
    const size = (await readFile(fx.recordsPath(LOG))).length;
    expect(await verdict()).toMatchObject({ status: 'corrupt', corruptAtSeq: 6 });
    expect((await readFile(fx.recordsPath(LOG))).length).toBe(size);
  });

  it('reports a tail cut below an exported checkpoint at the first missing seq, even at a record boundary', async () => {
    const { service } = await fx.reopen();
    const { execFileSync } = await import('node:child_process');
    const key = path.join(fx.root, 'export-key.txt');
    execFileSync('age-keygen', ['-o', key], { stdio: 'ignore' });
    const recipient = execFileSync('age-keygen', ['-y', key]).toString().trim();
    const exported = await service.export(LOG, { recipient }, path.join(fx.root, 'out.age'));
    expect(exported.records).toBe(COUNT);
    await service.lock();
    const b = await fx.boundaries(LOG);
    await editFile(fx.recordsPath(LOG), (bytes) => bytes.subarray(0, b[COUNT - 2]!));
    expect(await verdict()).toMatchObject({ status: 'corrupt', corruptAtSeq: COUNT - 1 });
  });

  it('refuses appends to a corrupt log and says why', async () => {
    const b = await fx.boundaries(LOG);
    await editFile(fx.recordsPath(LOG), (bytes) => Buffer.concat([bytes.subarray(0, b[2]!), bytes.subarray(b[3]!)]));
    const { store } = await fx.reopen();
    const size = (await readFile(fx.recordsPath(LOG))).length;
    await expect(store.append(LOG, { type: 'note.revised', body: 'after tamper' })).rejects.toMatchObject({
      code: 'Corrupt',
      message: expect.stringMatching(/refuses appends.*seq 3/),
    });
    await expect(store.read(LOG)).rejects.toMatchObject({ code: 'Corrupt' });
    expect((await readFile(fx.recordsPath(LOG))).length).toBe(size);
  });

  it('classifies the store file cut at every byte offset of its last records', async () => {
    const original = await readFile(fx.recordsPath(LOG));
    const b = await fx.boundaries(LOG);
    const { vault } = await fx.reopen();
    for (let cut = b[COUNT - 1]!; cut <= original.length; cut++) {
      await writeFile(fx.recordsPath(LOG), original.subarray(0, cut));
      const whole = b.filter((x) => x <= cut).length - 1;
      const store = new EvidenceStore({ vault, checkpointEvery: Infinity });
      const result = await store.verify(LOG);
      await store.closeAll({ checkpoint: false });
      await store.dispose();
      expect(result.status, `cut at ${cut}`).toBe(b.includes(cut) ? 'ok' : 'repaired');
      expect(result.records, `cut at ${cut}`).toBe(whole);
      expect((await readFile(fx.recordsPath(LOG))).length).toBe(b[whole]);
    }
    await writeFile(fx.recordsPath(LOG), original);
    expect(await new EvidenceStore({ vault }).verify(LOG)).toMatchObject({ status: 'ok', records: COUNT });
  });

  it('keeps reporting a repair made at open until the process restarts', async () => {
    const b = await fx.boundaries(LOG);
    await editFile(fx.recordsPath(LOG), (bytes) => bytes.subarray(0, b[COUNT]! - 3));
    const { store } = await fx.reopen();
    expect(await store.read(LOG)).toHaveLength(COUNT - 1);
    const result = await store.verify(LOG);
    expect(result).toMatchObject({ status: 'repaired', records: COUNT - 1 });
    expect(result.notice).toMatch(/torn tail repaired: \d+ bytes after record 7 were moved to quarantine/);
    expect(await verdict()).toMatchObject({ status: 'ok', records: COUNT - 1 });
  });
});

describe('checkpoint file after a crash', () => {
  it('cuts a torn checkpoint line so later checkpoints still parse', async () => {
    const fx2 = await makeStore();
    try {
      await fx2.store.append('inc-cp', { type: 'note.revised', body: 'one' });
      await fx2.store.checkpoint('inc-cp', 'status: investigating');
      await fx2.store.closeAll();
      await appendFile(path.join(fx2.logDir('inc-cp'), 'checkpoints.jsonl'), '{"logId":"inc-cp","cou');
      const { store } = await fx2.reopen();
      await store.append('inc-cp', { type: 'note.revised', body: 'two' });
      await store.checkpoint('inc-cp', 'status: mitigated');
      const result = await store.verify('inc-cp');
      expect(result).toMatchObject({ status: 'repaired', records: 2 });
      expect(result.notice).toMatch(/torn checkpoint append \(22 bytes\) was moved to quarantine/);
      const lines = (await readFile(path.join(fx2.logDir('inc-cp'), 'checkpoints.jsonl'), 'utf8')).trim().split('\n');
      expect(lines.map((l) => (JSON.parse(l) as { reason: string }).reason)).toEqual(['status: investigating', 'status: mitigated']);
    } finally {
      await fx2.dispose();
    }
  });
});
