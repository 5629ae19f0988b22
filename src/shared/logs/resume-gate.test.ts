import { describe, expect, it } from 'vitest';
import { ResumeGate } from './resume-gate';
import { formatStamp, parseStamp } from './stamps';

const enc = new TextEncoder();

/** Feeds `lines` (stamped text) through the gate; answers the ones kept. */
function feed(gate: ResumeGate, lines: string[]): string[] {
  const kept: string[] = [];
  for (const line of lines) {
    const bytes = enc.encode(line);
    const stamp = parseStamp(bytes, 0, bytes.length);
    const body = stamp ? stamp.bodyStart : 0;
    if (gate.admit(stamp, bytes, body, bytes.length)) kept.push(line);
  }
  return kept;
}

describe('stamps', () => {
  it('parses RFC3339Nano stamps and compares them as numbers, not text', () => {
    const a = parseStamp(enc.encode('2026-11-27T10:00:00Z x'), 0, 22)!;
    const b = parseStamp(enc.encode('2026-11-27T10:00:00.1Z x'), 0, 24)!;
    expect(a.nano).toBe(0);
    expect(b.nano).toBe(100_000_000);
    expect(b.sec).toBe(a.sec);
    expect(formatStamp(b)).toBe('2026-11-27T10:00:00.100000000Z');
    expect(parseStamp(enc.encode('no stamp here at all'), 0, 20)).toBeUndefined();
  });
});

describe('ResumeGate', () => {
  const before = ['2026-11-27T10:00:00.1Z one', '2026-11-27T10:00:00.2Z two', '2026-11-27T10:00:00.3Z three-a', '2026-11-27T10:00:00.3Z three-b'];

  it('after a drop, drops what the server repeats from the last stamp and keeps what is new', () => {
    const gate = new ResumeGate();
    expect(feed(gate, before)).toEqual(before);
    expect(formatStamp(gate.lastStamp!)).toBe('2026-11-27T10:00:00.300000000Z');
    gate.reopen();
    // The server resends from the second (as a server that rounds sinceTime down would).
    const again = [...before, '2026-11-27T10:00:00.3Z three-c', '2026-11-27T10:00:00.4Z four'];
    expect(feed(gate, again)).toEqual(['2026-11-27T10:00:00.3Z three-c', '2026-11-27T10:00:00.4Z four']);
    expect(gate.skipped).toBe(4);
  });

  it('tells identical lines with the same stamp apart by count', () => {
    const gate = new ResumeGate();
    feed(gate, ['2026-11-27T10:00:01Z same']);
    gate.reopen();
    expect(feed(gate, ['2026-11-27T10:00:01Z same', '2026-11-27T10:00:01Z same'])).toEqual(['2026-11-27T10:00:01Z same']);
  });

  it('resumes twice in a row without losing the lines at the stamp seen between', () => {
    const gate = new ResumeGate();
    feed(gate, ['2026-11-27T10:00:01Z a']);
    gate.reopen();
    expect(feed(gate, ['2026-11-27T10:00:01Z a', '2026-11-27T10:00:01Z b'])).toEqual(['2026-11-27T10:00:01Z b']);
    gate.reopen();
    expect(feed(gate, ['2026-11-27T10:00:01Z a', '2026-11-27T10:00:01Z b', '2026-11-27T10:00:02Z c'])).toEqual(['2026-11-27T10:00:02Z c']);
  });

  it('keeps the same text at another stamp: a traceback two requests logged is two tracebacks, across a resume too', () => {
    const traceback = (at: string) => [`${at} ERROR request_id=${at.slice(17, 19)}`, `${at} Traceback (most recent call last):`, `${at}   File "/app/api.py", line 142, in render`];
    const gate = new ResumeGate();
    expect(feed(gate, [...traceback('2026-11-27T10:00:01.1Z'), ...traceback('2026-11-27T10:00:02.2Z')])).toHaveLength(6);
    gate.reopen();
    // The server resends the last stamp's lines, then a third request fails the same way.
    expect(feed(gate, [...traceback('2026-11-27T10:00:02.2Z'), ...traceback('2026-11-27T10:00:03.3Z')])).toEqual(traceback('2026-11-27T10:00:03.3Z'));
    expect(gate.skipped).toBe(3);
  });

  it('takes a line cut short and the same line whole as two lines (why a cut connection\'s part line must not reach it)', () => {
    const gate = new ResumeGate();
    feed(gate, ['2026-11-27T10:00:01Z one', '2026-11-27T10:00:02Z two wh']);
    gate.reopen();
    expect(feed(gate, ['2026-11-27T10:00:02Z two whole', '2026-11-27T10:00:03Z three'])).toEqual(['2026-11-27T10:00:02Z two whole', '2026-11-27T10:00:03Z three']);
  });

  it('keeps everything when nothing was seen before, and lines without stamps always', () => {
    const gate = new ResumeGate();
    gate.reopen();
    expect(feed(gate, ['plain line', '2026-11-27T10:00:01Z a'])).toEqual(['plain line', '2026-11-27T10:00:01Z a']);
  });

  it('settles the lines at the last stamp before their bytes are overwritten (a reused read buffer)', () => {
    const gate = new ResumeGate();
    const buffer = new Uint8Array(64);
    const admitFrom = (line: string) => {
      buffer.fill(0);
      buffer.set(enc.encode(line));
      const stamp = parseStamp(buffer, 0, line.length)!;
      const kept = gate.admit(stamp, buffer, stamp.bodyStart, line.length);
      gate.settle();
      buffer.fill(0x21);
      return kept;
    };
    expect([admitFrom('2026-11-27T10:00:01Z a'), admitFrom('2026-11-27T10:00:01Z b')]).toEqual([true, true]);
    gate.reopen();
    expect(feed(gate, ['2026-11-27T10:00:01Z a', '2026-11-27T10:00:01Z b', '2026-11-27T10:00:01Z c'])).toEqual(['2026-11-27T10:00:01Z c']);
  });
});
