/**
 * One HTTP/1.1 response read as it arrives in pieces: the status line and headers, then the body
 * (chunked, sized by Content-Length, or up to the close), handed on as views of the pieces it was
 * given. It exists so that a log stream can be read into one reused buffer (a socket's `onread`):
 * node's http client gives every read a new Buffer, and at hundreds of megabytes a second those
 * keep V8 collecting its whole heap (see bench/logs-ingest.ts, `LOGS_INGEST_RAW=onread`).
 */

export interface ResponseHead {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Map<string, string>;
}

type State = 'head' | 'size' | 'data' | 'data-end' | 'trailer' | 'length' | 'close' | 'done';

const MAX_HEAD_BYTES = 64 * 1024;

export class HttpResponseReader {
  private state: State = 'head';
  private head: Uint8Array = new Uint8Array(1024);
  private headLength = 0;
  /** Bytes of the current chunk (or of the sized body) still to come. */
  private remaining = 0;
  /** The hex size line (or trailer line) read so far. */
  private line = '';

  constructor(
    private readonly onHead: (head: ResponseHead) => void,
    /** A piece of the body: `bytes[start, end)`, valid only during the call. */
    private readonly onBody: (bytes: Uint8Array, start: number, end: number) => void,
  ) {}

  /** The whole body came (the last chunk, or Content-Length bytes): the response is complete. */
  get complete(): boolean {
    return this.state === 'done';
  }

  /** The body runs to the connection's close (neither chunked nor sized): its close completes it. */
  get toClose(): boolean {
    return this.state === 'close';
  }

  /** Reads `bytes[start, end)`; throws on what is not HTTP/1.1. */
  push(bytes: Uint8Array, start: number, end: number): void {
    let at = start;
    while (at < end && this.state !== 'done') {
      switch (this.state) {
        case 'head':
          at = this.readHead(bytes, at, end);
          break;
        case 'size':
        case 'trailer': {
          const newline = indexOf(bytes, 10, at, end);
          const stop = newline === -1 ? end : newline;
          for (let i = at; i < stop; i++) this.line += String.fromCharCode(bytes[i]!);
          if (this.line.length > 1024) throw new Error('HTTP chunk size line too long');
          at = stop;
          if (newline === -1) break;
          at = newline + 1;
          const text = this.line.replace(/\r$/, '');
          this.line = '';
          if (this.state === 'trailer') {
            if (text === '') this.state = 'done';
            break;
          }
          const size = Number.parseInt(text.split(';')[0]!.trim(), 16);
          if (!Number.isFinite(size) || size < 0) throw new Error(`bad HTTP chunk size "${text.slice(0, 40)}"`);
          if (size === 0) this.state = 'trailer';
          else {
            this.remaining = size;
            this.state = 'data';
          }
          break;
        }
        case 'data':
        case 'length': {
          const take = Math.min(this.remaining, end - at);
          this.onBody(bytes, at, at + take);
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = this.state === 'data' ? 'data-end' : 'done';
          break;
        }
        case 'data-end': {
          // The CRLF after a chunk's data.
          const c = bytes[at++]!;
          if (c === 10) this.state = 'size';
          else if (c !== 13) throw new Error('bad HTTP chunk end');
          break;
        }
        case 'close':
          this.onBody(bytes, at, end);
          at = end;
          break;
      }
    }
  }

  private readHead(bytes: Uint8Array, at: number, end: number): number {
    const take = Math.min(end - at, MAX_HEAD_BYTES - this.headLength);
    if (take <= 0) throw new Error('HTTP response head too long');
    if (this.headLength + take > this.head.length) {
      const grown = new Uint8Array(Math.min(MAX_HEAD_BYTES, Math.max(this.head.length * 2, this.headLength + take)));
      grown.set(this.head.subarray(0, this.headLength));
      this.head = grown;
    }
    const before = this.headLength;
    this.head.set(bytes.subarray(at, at + take), before);
    this.headLength += take;
    const stop = findHeadEnd(this.head, Math.max(0, before - 3), this.headLength);
    if (stop === -1) return at + take;
    const text = new TextDecoder('latin1').decode(this.head.subarray(0, stop));
    const [statusLine, ...lines] = text.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
    if (!m) throw new Error(`not an HTTP/1.1 response: "${(statusLine ?? '').slice(0, 40)}"`);
    const headers = new Map<string, string>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    }
    const status = Number(m[1]);
    if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) this.state = 'size';
    else if (headers.has('content-length')) {
      this.remaining = Number(headers.get('content-length'));
      if (!Number.isFinite(this.remaining) || this.remaining < 0) throw new Error('bad Content-Length');
      this.state = this.remaining === 0 ? 'done' : 'length';
    } else this.state = status === 204 || status === 304 ? 'done' : 'close';
    this.head = new Uint8Array(0);
    this.onHead({ status, headers });
    // What followed the head in this piece is the body's.
    return at + (stop + 4 - before);
  }
}

function indexOf(bytes: Uint8Array, byte: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (bytes[i] === byte) return i;
  return -1;
}

/** Where `\r\n\r\n` starts in `bytes[from, to)`, or -1. */
function findHeadEnd(bytes: Uint8Array, from: number, to: number): number {
  for (let i = from; i + 3 < to; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}
