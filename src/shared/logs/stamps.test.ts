import { describe, expect, it } from 'vitest';
import { parseStamp } from './stamps';

const enc = new TextEncoder();
const parse = (text: string) => {
  const bytes = enc.encode(text);
  const s = parseStamp(bytes, 0, bytes.length);
  return s && { sec: s.sec, nano: s.nano, body: text.slice(s.bodyStart) };
};

describe('parseStamp', () => {
  it('reads every fraction length, nine digits or fewer, and the same second twice in a row', () => {
    const sec = Date.parse('2026-11-27T10:00:01Z') / 1000;
    for (const [fraction, nano] of [['.123456789', 123456789], ['.000000001', 1], ['.5', 500000000], ['.12345678', 123456780], ['', 0], ['.1234567891', 123456789]] as const) {
      expect(parse(`2026-11-27T10:00:01${fraction}Z body`)).toEqual({ sec, nano, body: 'body' });
      expect(parse(`2026-11-27T10:00:01${fraction}Z body`)).toEqual({ sec, nano, body: 'body' });
    }
    expect(parse('2026-11-27T10:00:02.000000000Z next')).toEqual({ sec: sec + 1, nano: 0, body: 'next' });
    expect(parse('2026-11-27T10:00:01.123456789+01:00 offset')).toEqual({ sec: sec - 3600, nano: 123456789, body: 'offset' });
  });

  it('answers undefined for what is not a stamp, also when it looks like one up to the fraction', () => {
    for (const text of ['2026-11-27T10:00:01.12345a789Z x', '2026-11-27T10:00:01.123456789 x', '2026-11-27 10:00:01Z x', 'plain text that is long enough', '2026-11-27T10:00:01.123456789Zx']) {
      expect(parse(text)).toBeUndefined();
    }
    // A Z that belongs to the next line is not this line's.
    const bytes = enc.encode('2026-11-27T10:00:01.123456789\n2026');
    expect(parseStamp(bytes, 0, 29)).toBeUndefined();
  });
});
