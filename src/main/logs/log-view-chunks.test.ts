import { describe, expect, it } from 'vitest';
import { ContainerFollower, LogView } from './log-view';

/** A view that is never started: its followers are fed chunks by hand, as the log request would. */
function makeView(maxLines?: number, mergeHoldMs = 0): LogView {
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
  return new LogView({
    id: 'test',
    context: 'drill',
    namespace: 'ns',
    source: { kind: 'pod', name: 'p' },
    options: maxLines !== undefined ? { maxLines } : {},
    config: {} as never,
    client: {} as never,
    pods: {} as never,
    logger,
    mergeHoldMs,
  });
}

/** One read buffer for every piece, scribbled over after each call: as the socket's reused buffer. */
const readBuffer = Buffer.alloc(1 << 17);
const feed = (follower: ContainerFollower, chunk: Buffer) => {
  chunk.copy(readBuffer);
  (follower as unknown as { onData(chunk: Buffer): void }).onData(readBuffer.subarray(0, chunk.length));
  readBuffer.fill(0x23, 0, chunk.length);
};
const held = (view: LogView) => view.ring.window(view.ring.firstSeq, view.ring.size).map((l) => ({ source: l.source, time: l.time, text: Buffer.from(l.bytes).toString('utf8') }));

/** The lines of a stamped stream as the view should keep them: stamp parsed off, CR dropped. */
function expected(stream: string, source = 0) {
  return stream
    .split('\n')
    .slice(0, -1)
    .map((line) => {
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z (.*)$/s.exec(text);
      if (!m) return { source, time: Number.NaN, text };
      const nanos = Number((m[2] ?? '.0').slice(1).padEnd(9, '0').slice(0, 9));
      return { source, time: Date.parse(`${m[1]}Z`) + nanos / 1e6, text: m[3]! };
    });
}

function stream(lines: number, seed: number, unstamped = true): string {
  let s = seed;
  const random = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n);
  let out = '';
  for (let i = 0; i < lines; i++) {
    const sec = 1_800_000_000 + Math.floor(i / 7);
    const stamp = `${new Date(sec * 1000).toISOString().slice(0, 19)}.${String(i * 1009).padStart(9, '0')}Z`;
    const kind = random(10);
    if (kind === 0 && unstamped) out += `plain line ${i} without a stamp\n`;
    else if (kind === 1) out += `${stamp} windows line ${i}\r\n`;
    else if (kind === 2) out += `${stamp} \n`;
    else out += `${stamp} line ${i} ${'y'.repeat(random(120))} level=${random(3) ? 'INFO' : 'ERROR'}\n`;
  }
  return out;
}

describe('ContainerFollower chunks', () => {
  it('keeps every line, in order, with its stamp, however the stream is cut into chunks', () => {
    const text = stream(3000, 11);
    for (const cuts of [[1], [7, 13], [160, 3], [4096, 1, 16384], [65536]]) {
      const view = makeView();
      const follower = new ContainerFollower(view, 0, 'p', 'c');
      const bytes = Buffer.from(text);
      for (let at = 0, k = 0; at < bytes.length; k++) {
        const size = cuts[k % cuts.length]!;
        feed(follower, Buffer.from(bytes.subarray(at, at + size)));
        at += size;
      }
      view.drain(true);
      expect(held(view)).toEqual(expected(text));
      expect(follower.info.lines).toBe(3000);
      view.dispose();
    }
  });

  it('drops the oldest at the cap exactly as line by line would', () => {
    const text = stream(500, 5);
    const view = makeView(64);
    const follower = new ContainerFollower(view, 0, 'p', 'c');
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; at += 1000) feed(follower, Buffer.from(bytes.subarray(at, at + 1000)));
    view.drain(true);
    expect(view.ring.dropped).toBe(500 - 64);
    expect(held(view)).toEqual(expected(text).slice(-64));
    view.dispose();
  });

  it('merges two pods by stamp, each pod’s lines in its own order, none lost', () => {
    // Lines wait for the other pod (as they would for 30 ms, here for as long as the test runs).
    const view = makeView(undefined, 60_000);
    const a = new ContainerFollower(view, 0, 'a', 'c');
    const b = new ContainerFollower(view, 1, 'b', 'c');
    (view as unknown as { sourceList: ContainerFollower[] }).sourceList.push(a, b);
    view.merger.open(0);
    view.merger.open(1);
    // Every line stamped (a line without one is placed by arrival, not by stamp).
    const textA = stream(800, 1, false);
    const textB = stream(800, 2, false);
    const bytesA = Buffer.from(textA);
    const bytesB = Buffer.from(textB);
    for (let at = 0; at < Math.max(bytesA.length, bytesB.length); at += 3000) {
      if (at < bytesA.length) feed(a, Buffer.from(bytesA.subarray(at, at + 3000)));
      if (at < bytesB.length) feed(b, Buffer.from(bytesB.subarray(at, at + 3000)));
      view.drain(false);
    }
    view.drain(true);
    const lines = held(view);
    expect(lines.filter((l) => l.source === 0)).toEqual(expected(textA, 0));
    expect(lines.filter((l) => l.source === 1)).toEqual(expected(textB, 1));
    const stamped = lines.filter((l) => !Number.isNaN(l.time)).map((l) => l.time);
    // Both pods stamp alike and arrive together: merged in stamp order.
    expect(stamped).toEqual([...stamped].sort((x, y) => x - y));
    view.dispose();
  });
});
