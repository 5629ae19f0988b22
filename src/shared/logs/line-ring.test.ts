import { describe, expect, it } from 'vitest';
import { LineRing } from './line-ring';

const enc = new TextEncoder();
const dec = new TextDecoder();
const add = (ring: LineRing, text: string, source = 0, time = Number.NaN) => {
  const bytes = enc.encode(text);
  return ring.append(bytes, 0, bytes.length, source, time);
};
const texts = (ring: LineRing, from: number, count: number) => ring.window(from, count).map((l) => dec.decode(l.bytes));

describe('LineRing', () => {
  it('numbers lines by a growing seq and reads windows back with their source and time', () => {
    const ring = new LineRing({ maxLines: 10 });
    expect(add(ring, 'a', 1, 1000)).toBe(0);
    expect(add(ring, 'bb', 2, 2000)).toBe(1);
    add(ring, 'ccc', 3, 3000);
    expect(ring.size).toBe(3);
    expect(texts(ring, 0, 10)).toEqual(['a', 'bb', 'ccc']);
    expect(ring.window(1, 1)[0]).toMatchObject({ seq: 1, source: 2, time: 2000 });
    expect(ring.bytes).toBe(6);
  });

  it('drops nothing below the cap and exactly the oldest at the cap, counting them', () => {
    const ring = new LineRing({ maxLines: 5, blockBytes: 64 });
    for (let i = 0; i < 5; i++) add(ring, `line ${i}`);
    expect(ring.dropped).toBe(0);
    for (let i = 5; i < 13; i++) add(ring, `line ${i}`);
    expect(ring.dropped).toBe(8);
    expect(ring.firstSeq).toBe(8);
    expect(texts(ring, 0, 100)).toEqual(['line 8', 'line 9', 'line 10', 'line 11', 'line 12']);
    expect(() => ring.bytesOf(7)).toThrow(/not held/);
  });

  it('wraps its index many times over and frees whole blocks (bytes held stay bounded)', () => {
    const ring = new LineRing({ maxLines: 100, blockBytes: 256 });
    for (let i = 0; i < 10_000; i++) add(ring, `entry-${i}-${'x'.repeat(i % 17)}`);
    expect(ring.size).toBe(100);
    expect(texts(ring, 9_998, 5)).toEqual([`entry-9998-${'x'.repeat(9998 % 17)}`, `entry-9999-${'x'.repeat(9999 % 17)}`]);
    const held = (ring as unknown as { blocks: unknown[] }).blocks.length;
    expect(held).toBeLessThanOrEqual(Math.ceil((100 * 30) / 256) + 2);
  });

  it('caps bytes too, and gives an over-long line a block of its own', () => {
    const ring = new LineRing({ maxLines: 1000, maxBytes: 1024, blockBytes: 128 });
    add(ring, 'y'.repeat(600));
    add(ring, 'z'.repeat(600));
    expect(ring.size).toBe(1);
    expect(texts(ring, 0, 5)).toEqual(['z'.repeat(600)]);
  });

  it('yields contiguous runs with a newline after each line, whose offsets map back to seqs', () => {
    const ring = new LineRing({ maxLines: 100, blockBytes: 64 });
    const lines = ['a', 'b', 'c', 'd', 'e'].map((c) => c.repeat(20));
    for (const t of lines) add(ring, t);
    const runs = [...ring.runs()];
    expect(runs.length).toBeGreaterThan(1);
    const joined = runs.map((r) => dec.decode(r.data)).join('');
    expect(joined).toBe(lines.map((l) => `${l}\n`).join(''));
    for (const run of runs) {
      for (let seq = run.firstSeq; seq <= run.lastSeq; seq++) {
        const at = ring.offsetInBlock(seq) - run.start;
        expect(dec.decode(run.data.subarray(at, at + ring.lengthAt(seq)))).toBe(texts(ring, seq, 1)[0]);
      }
    }
  });

  it('finds the first line at or after a time', () => {
    const ring = new LineRing({ maxLines: 100 });
    for (let i = 0; i < 10; i++) add(ring, `t${i}`, 0, i * 1000);
    expect(ring.seqAtTime(4500)).toBe(5);
    expect(ring.seqAtTime(0)).toBe(0);
    expect(ring.seqAtTime(99_999)).toBe(10);
  });
});
