import { describe, expect, it } from 'vitest';
import { HttpResponseReader, type ResponseHead } from './http-response';

/** Reads `wire` cut into pieces of the given sizes (in turn), each piece scribbled over after the call. */
function read(wire: string, sizes: number[]) {
  let head: ResponseHead | undefined;
  let body = '';
  const reader = new HttpResponseReader(
    (h) => (head = h),
    (bytes, start, end) => (body += Buffer.from(bytes.subarray(start, end)).toString('latin1')),
  );
  const bytes = Buffer.from(wire, 'latin1');
  const piece = Buffer.alloc(bytes.length);
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = Math.max(1, sizes[k % sizes.length]!);
    const n = bytes.copy(piece, 0, at, at + size);
    reader.push(piece, 0, n);
    piece.fill(0x21);
    at += n;
  }
  return { head, body, complete: reader.complete, toClose: reader.toClose };
}

const chunked = (parts: string[], extra = '') =>
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n${extra}\r\n${parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('')}0\r\n\r\n`;

describe('HttpResponseReader', () => {
  it('reads a chunked body however the bytes are cut, and knows when it is complete', () => {
    const parts = ['2026-01-01T00:00:00.000000001Z a\n', 'b'.repeat(300), '\n2026-01-01T00:00:00.000000002Z c\n'];
    const wire = chunked(parts, 'X-Repeat: 1\r\nx-repeat: 2\r\n');
    for (const sizes of [[1], [2, 3], [7], [64], [wire.length]]) {
      const got = read(wire, sizes);
      expect(got.head?.status).toBe(200);
      expect(got.head?.headers.get('x-repeat')).toBe('1, 2');
      expect(got.body).toBe(parts.join(''));
      expect(got.complete).toBe(true);
    }
  });

  it('takes chunk extensions and trailers, and stops at the last chunk', () => {
    const wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=x\r\nhello\r\n0\r\nTrailer: t\r\n\r\n';
    const got = read(wire, [3]);
    expect(got.body).toBe('hello');
    expect(got.complete).toBe(true);
    const partial = read('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', [4]);
    expect([partial.body, partial.complete]).toEqual(['hel', false]);
  });

  it('reads a body sized by Content-Length, and one that runs to the close', () => {
    const refused = '{"kind":"Status","message":"pods \\"x\\" not found"}';
    const sized = read(`HTTP/1.1 404 Not Found\r\nContent-Length: ${refused.length}\r\n\r\n${refused}`, [5]);
    expect([sized.head?.status, sized.body, sized.complete]).toEqual([404, refused, true]);
    const toClose = read('HTTP/1.0 200 OK\r\n\r\nsome text', [2]);
    expect([toClose.body, toClose.complete, toClose.toClose]).toEqual(['some text', false, true]);
  });

  it('refuses what is not HTTP/1.1', () => {
    expect(() => read('SSH-2.0-OpenSSH\r\n\r\n', [100])).toThrow(/not an HTTP/);
    expect(() => read('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', [100])).toThrow(/chunk size/);
  });
});
