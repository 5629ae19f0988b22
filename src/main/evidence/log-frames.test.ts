import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { encodeFrame, encodeFrameHeader, genesisHash, LOG_MAGIC, scanLog, sha256 } from './log-frames';
import { sealBytes } from './sealing';

const LOG_ID = 'inc-frames';

function buildLog(count: number): { bytes: Buffer; boundaries: number[] } {
  const key = randomBytes(32);
  const parts: Buffer[] = [LOG_MAGIC];
  const boundaries = [LOG_MAGIC.length];
  let prev = genesisHash(LOG_ID);
  for (let seq = 1; seq <= count; seq++) {
    const header = encodeFrameHeader({ keyVersion: 1, seq, prevHash: prev });
    const { nonce, sealed } = sealBytes(key, header, Buffer.from(JSON.stringify({ seq, text: 'x'.repeat(seq * 7) })));
    const frame = encodeFrame(header, nonce, sealed);
    parts.push(frame);
    boundaries.push(boundaries.at(-1)! + frame.length);
    prev = sha256(frame);
  }
  return { bytes: Buffer.concat(parts), boundaries };
}

describe('scanLog', () => {
  it('accepts a whole log and chains every frame to the one before', () => {
    const { bytes } = buildLog(6);
    const scan = scanLog(bytes, LOG_ID);
    expect(scan.problem).toBeUndefined();
    expect(scan.frames.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(scan.frames[0]!.prevHash.equals(genesisHash(LOG_ID))).toBe(true);
  });

  it('classifies a cut at every byte offset of the last records as ok or torn tail', () => {
    const { bytes, boundaries } = buildLog(8);
    const from = boundaries[5]!;
    for (let cut = from; cut <= bytes.length; cut++) {
      const scan = scanLog(bytes.subarray(0, cut), LOG_ID);
      const whole = boundaries.filter((b) => b <= cut).length - 1;
      expect(scan.frames.length, `cut at ${cut}`).toBe(whole);
      if (boundaries.includes(cut)) {
        expect(scan.problem, `cut at ${cut}`).toBeUndefined();
      } else {
        expect(scan.problem?.kind, `cut at ${cut}`).toBe('torn');
        expect(scan.problem?.seq).toBe(whole + 1);
        expect(scan.validEnd).toBe(boundaries[whole]);
      }
    }
  });

  it('reports a flipped byte anywhere in a record followed by valid ones as corruption at its seq', () => {
    const { bytes, boundaries } = buildLog(5);
    for (let seq = 1; seq <= 4; seq++) {
      for (let offset = boundaries[seq - 1]!; offset < boundaries[seq]!; offset++) {
        const damaged = Buffer.from(bytes);
        damaged[offset] ^= 0x40;
        const scan = scanLog(damaged, LOG_ID);
        expect(scan.problem?.kind, `seq ${seq} offset ${offset}`).toBe('corrupt');
        expect(scan.problem?.seq, `seq ${seq} offset ${offset}`).toBe(seq);
      }
    }
  });

  it('reports a flipped byte in the last record whose length still fits as corruption, not a torn tail', () => {
    const { bytes, boundaries } = buildLog(5);
    for (let offset = boundaries[4]! + 4; offset < bytes.length; offset++) {
      const damaged = Buffer.from(bytes);
      damaged[offset] ^= 1;
      expect(scanLog(damaged, LOG_ID).problem, `offset ${offset}`).toMatchObject({ kind: 'corrupt', seq: 5 });
    }
  });

  it('tells a really short last frame (torn) from zeros after the end (torn) and garbage (corrupt)', () => {
    const { bytes, boundaries } = buildLog(3);
    expect(scanLog(bytes.subarray(0, bytes.length - 1), LOG_ID).problem).toMatchObject({ kind: 'torn', seq: 3 });
    expect(scanLog(Buffer.concat([bytes, Buffer.alloc(200)]), LOG_ID).problem).toMatchObject({ kind: 'torn', seq: 4 });
    expect(scanLog(Buffer.concat([bytes, Buffer.alloc(200, 0xff)]), LOG_ID).problem).toMatchObject({ kind: 'corrupt', seq: 4 });
    expect(boundaries.length).toBe(4);
  });

  it('reports swapped and deleted records at the first seq out of place', () => {
    const { bytes, boundaries } = buildLog(6);
    const frame = (seq: number): Buffer => bytes.subarray(boundaries[seq - 1]!, boundaries[seq]!);
    const swapped = Buffer.concat([bytes.subarray(0, boundaries[2]!), frame(4), frame(3), bytes.subarray(boundaries[4]!)]);
    expect(scanLog(swapped, LOG_ID).problem).toMatchObject({ kind: 'corrupt', seq: 3 });
    const deleted = Buffer.concat([bytes.subarray(0, boundaries[1]!), bytes.subarray(boundaries[2]!)]);
    expect(scanLog(deleted, LOG_ID).problem).toMatchObject({ kind: 'corrupt', seq: 2 });
  });

  it('binds the chain to the log id', () => {
    const { bytes } = buildLog(2);
    expect(scanLog(bytes, 'another-log').problem).toMatchObject({ kind: 'corrupt', seq: 1 });
  });
});
