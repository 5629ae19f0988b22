import { describe, expect, it } from 'vitest';
import { HttpResponseReader } from '../../src/main/logs/http-response';
import { prng } from '../fuzz/payloads';

/**
 * What an API server (or anything answering on its port) sends the log reader: seeded responses,
 * valid and broken, cut anywhere. The reader either reads them or throws an Error (the stream is
 * then cut, with the reason); it never loops, never throws anything else, and never hands on
 * more body than it was given.
 */
describe('the HTTP response reader under fuzzing', () => {
  const heads = [
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n',
    'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n\r\n',
    'HTTP/1.0 200 OK\r\n\r\n',
  ];

  function response(random: () => number): Buffer {
    const pick = <T,>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    let text = pick(heads);
    const parts = Math.floor(random() * 6);
    for (let i = 0; i < parts; i++) {
      const body = '2026-11-27T10:00:01.000000001Z line\n'.repeat(1 + Math.floor(random() * 4));
      text += `${body.length.toString(16)}${random() < 0.2 ? ';ext=1' : ''}\r\n${body}\r\n`;
    }
    if (random() < 0.7) text += '0\r\n\r\n';
    const bytes = Buffer.from(text, 'latin1');
    // Broken on purpose: flipped, dropped and random bytes, or garbage from the start.
    if (random() < 0.15) return Buffer.from(Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256)));
    const mutations = Math.floor(random() * 4);
    for (let m = 0; m < mutations; m++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    return random() < 0.2 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
  }

  it('reads or refuses 5,000 seeded responses cut at random, and only ever throws Errors', () => {
    const random = prng(11);
    let refused = 0;
    let complete = 0;
    for (let i = 0; i < 5000; i++) {
      const wire = response(random);
      let body = 0;
      const reader = new HttpResponseReader(
        () => undefined,
        (_bytes, start, end) => {
          expect(end).toBeGreaterThanOrEqual(start);
          body += end - start;
        },
      );
      try {
        for (let at = 0; at < wire.length; ) {
          const size = 1 + Math.floor(random() * 64);
          reader.push(wire, at, Math.min(wire.length, at + size));
          at += size;
        }
        if (reader.complete) complete++;
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        refused++;
      }
      expect(body).toBeLessThanOrEqual(wire.length);
    }
    // The seed gives both kinds plenty of times.
    expect(refused).toBeGreaterThan(200);
    expect(complete).toBeGreaterThan(200);
  });

  it('refuses a head that never ends, at 64 KiB', () => {
    const reader = new HttpResponseReader(() => undefined, () => undefined);
    const filler = Buffer.from(`HTTP/1.1 200 OK\r\n${'X-Pad: y\r\n'.repeat(1000)}`);
    expect(() => {
      for (let i = 0; i < 10; i++) reader.push(filler, 0, filler.length);
    }).toThrow(/head too long/);
  });
});
