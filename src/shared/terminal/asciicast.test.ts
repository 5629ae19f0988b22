import { describe, expect, it } from 'vitest';
import { castDuration, CastFormatError, encodeCast, parseCast, parseResize, type Cast } from './asciicast';

const cast: Cast = {
  header: { version: 2, width: 80, height: 24, timestamp: 1_796_000_000, title: 'drill · codesign-production', env: { SHELL: '/bin/bash', TERM: 'xterm-256color' } },
  events: [
    [0.1234567, 'o', 'ready$ '],
    [1.5, 'i', 'ls\r'],
    [1.6, 'o', 'a "quoted" line\r\n\u001b[32mgreen\u001b[0m\r\n'],
    [2, 'r', '100x30'],
  ],
};

describe('asciicast v2', () => {
  it('writes a header line, then one [seconds, code, data] line per event, ending with a newline', () => {
    const text = encodeCast(cast);
    const lines = text.split('\n');
    expect(text.endsWith('\n')).toBe(true);
    expect(lines).toHaveLength(cast.events.length + 2);
    expect(JSON.parse(lines[0]!)).toEqual(cast.header);
    // Microseconds, as asciinema writes them.
    expect(JSON.parse(lines[1]!)).toEqual([0.123457, 'o', 'ready$ ']);
    expect(JSON.parse(lines[4]!)).toEqual([2, 'r', '100x30']);
  });

  it('reads back what it wrote', () => {
    const back = parseCast(encodeCast(cast));
    expect(back.header).toEqual(cast.header);
    expect(back.events.map((e) => e.slice(1))).toEqual(cast.events.map((e) => e.slice(1)));
    expect(castDuration(back)).toBe(2);
  });

  it('skips marker events and blank lines, as asciinema does', () => {
    const text = `${JSON.stringify(cast.header)}\n\n[0.5, "m", "chapter"]\n[1, "o", "x"]\n`;
    expect(parseCast(text).events).toEqual([[1, 'o', 'x']]);
  });

  it('names the line that is damaged', () => {
    const header = JSON.stringify(cast.header);
    expect(() => parseCast('')).toThrow(new CastFormatError('the recording is empty'));
    expect(() => parseCast('{not json')).toThrow('line 1: the header is not JSON');
    expect(() => parseCast('{"version": 1, "width": 80, "height": 24}')).toThrow('line 1: not an asciicast v2 header');
    expect(() => parseCast('{"version": 2}')).toThrow('line 1: the header has no width and height');
    expect(() => parseCast(`${header}\n[0, "o", "fine"]\n[0.1, "o"`)).toThrow('line 3: not JSON');
    expect(() => parseCast(`${header}\n[0, "x", "what"]`)).toThrow('line 2: not an event [seconds, code, data]');
    expect(() => parseCast(`${header}\n["0", "o", "text"]`)).toThrow('line 2: not an event');
    expect(() => parseCast(`${header}\n[0, "o", 42]`)).toThrow('line 2: not an event');
  });

  it('reads a resize as columns and rows, and refuses anything else', () => {
    expect(parseResize('132x43')).toEqual({ cols: 132, rows: 43 });
    expect(parseResize('132 x 43')).toBeUndefined();
    expect(parseResize('x43')).toBeUndefined();
  });

  it('gives an empty recording no length', () => {
    expect(castDuration({ header: cast.header, events: [] })).toBe(0);
  });
});
