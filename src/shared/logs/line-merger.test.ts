import { describe, expect, it } from 'vitest';
import { LineMerger, type MergeLine } from './line-merger';

const line = (source: number, sec: number, arrived: number, text = `${source}@${sec}`): MergeLine => ({
  source,
  stamp: { sec, nano: 0 },
  arrived,
  bytes: new TextEncoder().encode(text),
  start: 0,
  end: text.length,
});
const drained = (merger: LineMerger, now: number, force = false) => {
  const out: string[] = [];
  merger.drain(now, (_source, bytes, start, end) => out.push(new TextDecoder().decode(bytes.subarray(start, end))), force);
  return out;
};

describe('LineMerger', () => {
  it('hands each line out with its own source, also when only one source is open', () => {
    const merger = new LineMerger(30);
    merger.open(7);
    merger.push(line(7, 1, 0));
    const sources: number[] = [];
    merger.drain(100, (source) => sources.push(source));
    expect(sources).toEqual([7]);
    expect(merger.size).toBe(0);
  });

  it('keeps order and every line through growing queues', () => {
    const merger = new LineMerger(30);
    merger.open(0);
    merger.open(1);
    for (let i = 0; i < 3000; i++) merger.push(line(i % 2, i, 0, `l${i}`));
    const out = drained(merger, 100);
    expect(out).toHaveLength(3000);
    expect(out.slice(0, 3)).toEqual(['l0', 'l1', 'l2']);
    expect(out.at(-1)).toBe('l2999');
  });

  it('merges several pods in stamp order and keeps each pod’s own order', () => {
    const merger = new LineMerger(30);
    merger.open(0);
    merger.open(1);
    for (const sec of [1, 3, 5]) merger.push(line(0, sec, 0));
    for (const sec of [2, 4, 6]) merger.push(line(1, sec, 0));
    expect(drained(merger, 100)).toEqual(['0@1', '1@2', '0@3', '1@4', '0@5', '1@6']);
  });

  it('holds a line briefly for an open pod that has sent nothing yet, then lets it go', () => {
    const merger = new LineMerger(30);
    merger.open(0);
    merger.open(1);
    merger.push(line(0, 5, 100));
    expect(drained(merger, 110)).toEqual([]);
    merger.push(line(1, 4, 115));
    expect(drained(merger, 120)).toEqual(['1@4']);
    expect(drained(merger, 135)).toEqual(['0@5']);
    merger.push(line(0, 6, 200));
    expect(drained(merger, 240)).toEqual(['0@6']);
  });

  it('does not let a pod whose stamps lag hold another pod’s lines past the hold', () => {
    const merger = new LineMerger(30);
    for (const source of [0, 1, 2]) merger.open(source);
    // Pod 2 has sent nothing; pod 0 keeps a fresh backlog of old stamps (minutes behind pod 1).
    merger.push(line(1, 500, 0));
    merger.push(line(1, 501, 10));
    for (const sec of [1, 2]) merger.push(line(0, sec, 95));
    // Pod 0's lines are held for pod 2; pod 1's have waited 30 ms and more, and go.
    expect(drained(merger, 100)).toEqual(['1@500', '1@501']);
    merger.push(line(0, 3, 120));
    expect(drained(merger, 126)).toEqual(['0@1', '0@2']);
    expect(drained(merger, 150)).toEqual(['0@3']);
  });

  it('does not wait for a closed pod, and force drains everything', () => {
    const merger = new LineMerger(1000);
    merger.open(0);
    merger.open(1);
    merger.push(line(0, 1, 0));
    merger.close(1);
    expect(drained(merger, 1)).toEqual(['0@1']);
    merger.open(1);
    merger.push(line(0, 2, 5));
    expect(drained(merger, 6)).toEqual([]);
    expect(drained(merger, 6, true)).toEqual(['0@2']);
    expect(merger.size).toBe(0);
  });

  it('a single pod passes straight through in arrival order', () => {
    const merger = new LineMerger(30);
    merger.push(line(0, 9, 0, 'late stamp'));
    merger.push(line(0, 1, 0, 'early stamp'));
    expect(drained(merger, 0)).toEqual(['late stamp', 'early stamp']);
  });
});
