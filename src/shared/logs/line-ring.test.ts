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

  it('keeps blocks and line starts in shared memory when asked, with the same runs as a plain ring', () => {
    const shared = new LineRing({ maxLines: 500, blockBytes: 256, shared: true });
    const plain = new LineRing({ maxLines: 500, blockBytes: 256 });
    // Lines of 1..90 bytes: blocks hold from 2 to over 100 lines, and the index wraps.
    for (let i = 0; i < 1300; i++) {
      const text = String.fromCharCode(97 + (i % 26)).repeat(1 + ((i * 7919) % 90));
      add(shared, text);
      add(plain, text);
    }
    const runsOf = (ring: LineRing, from: number, to: number) => [...ring.runs(from, to)].map((r) => ({ first: r.firstSeq, last: r.lastSeq, text: Buffer.from(r.data).toString() }));
    for (const [from, to] of [[shared.firstSeq, shared.nextSeq], [shared.firstSeq + 3, shared.nextSeq - 5], [1000, 1001]] as const) {
      const runs = runsOf(shared, from, to);
      expect(runs).toEqual(runsOf(plain, from, to));
      // Every seq once, in order, each run within one block.
      expect(runs[0]!.first).toBe(from);
      expect(runs.at(-1)!.last).toBe(to - 1);
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.first).toBe(runs[i - 1]!.last + 1);
    }
    for (const run of shared.runs()) expect(run.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.lineOffsets(shared.firstSeq, shared.firstSeq + 1).buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([...plain.runs()][0]!.data.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('finds the first line at or after a time', () => {
    const ring = new LineRing({ maxLines: 100 });
    for (let i = 0; i < 10; i++) add(ring, `t${i}`, 0, i * 1000);
    expect(ring.seqAtTime(4500)).toBe(5);
    expect(ring.seqAtTime(0)).toBe(0);
    expect(ring.seqAtTime(99_999)).toBe(10);
  });

  it('takes a run of lines out of one buffer exactly as it takes them one by one (seqs, drops, bytes, blocks freed)', () => {
    // Lines with a stamp-like prefix and a newline between them, as a chunk of the log stream.
    let seed = 7;
    const random = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    // In shared memory too: there the lines are squeezed in a scratch buffer at the block's alignment.
    const sets = [{ maxLines: 50, blockBytes: 128 }, { maxLines: 1000, maxBytes: 2048, blockBytes: 256 }, { maxLines: 7, blockBytes: 64 }, {}];
    for (const options of [...sets, ...sets.map((o) => ({ ...o, shared: true }))]) {
      const byRun = new LineRing(options);
      const byLine = new LineRing(options);
      for (let chunk = 0; chunk < 60; chunk++) {
        const parts: string[] = [];
        const bodies: Array<[number, number]> = [];
        let at = 0;
        for (let i = 0, n = random(30); i < n; i++) {
          const prefix = 'p'.repeat(random(12));
          const body = `${chunk}.${i}:${'x'.repeat(random(i === 3 ? 300 : 40))}`;
          const cr = random(4) === 0 ? '\r' : '';
          parts.push(`${prefix}${body}${cr}\n`);
          bodies.push([at + prefix.length, at + prefix.length + body.length]);
          at += prefix.length + body.length + cr.length + 1;
        }
        // Some lines the gate dropped: not in the run, their bytes still between the others.
        const kept = bodies.filter(() => random(5) !== 0);
        const bytes = enc.encode(`${'lead'}${parts.join('')}`);
        const starts = Int32Array.from(kept, ([s]) => s + 4);
        const ends = Int32Array.from(kept, ([, e]) => e + 4);
        const times = Float64Array.from(kept, (_, i) => chunk * 1000 + i);
        byRun.appendRun(bytes, starts, ends, times, kept.length, chunk % 3);
        for (let i = 0; i < kept.length; i++) byLine.append(bytes, starts[i]!, ends[i]!, chunk % 3, times[i]!);
        expect([byRun.firstSeq, byRun.nextSeq, byRun.bytes]).toEqual([byLine.firstSeq, byLine.nextSeq, byLine.bytes]);
      }
      const all = (ring: LineRing) => ring.window(ring.firstSeq, ring.size).map((l) => [l.seq, l.source, l.time, dec.decode(l.bytes)]);
      expect(all(byRun)).toEqual(all(byLine));
      // The runs a filter reads hold each line followed by a newline, nothing else.
      const joined = [...byRun.runs()].map((r) => dec.decode(r.data)).join('');
      expect(joined).toBe(all(byLine).map((l) => `${l[3]}\n`).join(''));
      const blocks = (ring: LineRing) => (ring as unknown as { blocks: unknown[] }).blocks.length;
      expect(blocks(byRun)).toBeLessThanOrEqual(blocks(byLine) + 1);
    }
  });
});
