/**
 * Fuzzes a running web host over its real socket: seeded payloads (see payloads.ts), plus
 * protocol-level abuse (frames over the size limit, invalid UTF-8, reserved opcodes, frames cut
 * off, idle connections), then checks that the process is up, that every reply was a typed
 * `Result`, that memory came back within a bound and that a normal request still answers.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';
import type { ErrorCode } from '../../src/shared/result';
import { nextFrame, prng } from './payloads';

const ERROR_CODES: ReadonlySet<ErrorCode> = new Set([
  'Invalid',
  'NotFound',
  'Unauthorized',
  'Forbidden',
  'Conflict',
  'Unreachable',
  'Unavailable',
  'Corrupt',
  'Locked',
  'WrongPassphrase',
  'Timeout',
  'Internal',
]);

export interface FuzzStats {
  payloads: number;
  typedErrors: number;
  okResults: number;
  /** Replies that were not a typed Result, or a request that got no reply at all. */
  untyped: number;
  missing: number;
  /** The first few requests that got no answer (to replay by hand). */
  missingSamples: string[];
  /** The host process ended (or stopped answering) during the run. */
  crashes: number;
  protocolAttacks: number;
  heapBeforeBytes: number;
  heapAfterBytes: number;
  stillAnswers: boolean;
}

export interface FuzzTarget {
  url: string;
  /** False once the host process has exited. */
  alive(): boolean;
}

export async function fuzzWebHost(target: FuzzTarget, options: { seed: number; payloads: number }): Promise<FuzzStats> {
  const random = prng(options.seed);
  const stats: FuzzStats = {
    payloads: 0,
    typedErrors: 0,
    okResults: 0,
    untyped: 0,
    missing: 0,
    missingSamples: [],
    crashes: 0,
    protocolAttacks: 0,
    heapBeforeBytes: 0,
    heapAfterBytes: 0,
    stillAnswers: false,
  };
  const url = new URL(target.url);
  const token = url.searchParams.get('token')!;
  const socketUrl = `ws://${url.host}/rpc?token=${encodeURIComponent(token)}`;

  stats.heapBeforeBytes = (await diagnostics(socketUrl, url.origin)).heapUsedBytes;

  let client = await Client.open(socketUrl, url.origin);
  let nextId = 1000;
  for (let i = 0; i < options.payloads; i++) {
    if (!target.alive()) break;
    if (i > 0 && i % 500 === 0) {
      await client.drain(15_000);
      stats.protocolAttacks += await protocolAttack(url, token, i / 500);
    }
    if (client.closed) {
      tally(stats, client);
      client = await Client.open(socketUrl, url.origin);
    }
    const frame = nextFrame(random, nextId++);
    stats.payloads++;
    client.send(frame);
  }
  await client.drain(15_000);
  tally(stats, client);
  client.close();

  if (!target.alive()) stats.crashes++;
  else {
    try {
      const after = await diagnostics(socketUrl, url.origin);
      stats.heapAfterBytes = after.heapUsedBytes;
      stats.stillAnswers = after.answered;
    } catch {
      stats.crashes++;
    }
  }
  return stats;
}

function tally(stats: FuzzStats, client: Client): void {
  stats.typedErrors += client.typedErrors;
  stats.okResults += client.okResults;
  stats.untyped += client.untyped;
  // A request sent just before a protocol attack dropped the socket may never be answered;
  // only an open socket that fails to answer counts as missing.
  if (!client.closed) {
    stats.missing += client.pending.size;
    for (const id of client.pending.keys()) if (stats.missingSamples.length < 5) stats.missingSamples.push(client.sentText.get(id) ?? String(id));
  }
  client.sentText.clear();
  client.typedErrors = client.okResults = client.untyped = 0;
  client.pending.clear();
}

async function diagnostics(socketUrl: string, origin: string): Promise<{ heapUsedBytes: number; answered: boolean }> {
  const client = await Client.open(socketUrl, origin);
  try {
    const info = await client.request('app:info', {});
    const diag = await client.request('app:diagnostics', {});
    const heap = diag.ok ? (diag.value as { heapUsedBytes: number }).heapUsedBytes : 0;
    return { heapUsedBytes: heap, answered: info.ok };
  } finally {
    client.close();
  }
}

type Reply = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

class Client {
  readonly pending = new Map<number, (reply: Reply) => void>();
  readonly sentText = new Map<number, string>();
  typedErrors = 0;
  okResults = 0;
  untyped = 0;
  closed = false;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message: { t?: unknown; id?: unknown; result?: unknown };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        this.untyped++;
        return;
      }
      if (message.t !== 'result') return;
      const settle = this.pending.get(message.id as number);
      this.pending.delete(message.id as number);
      this.sentText.delete(message.id as number);
      if (!isTypedResult(message.result)) this.untyped++;
      else if ((message.result as Reply).ok) this.okResults++;
      else this.typedErrors++;
      settle?.(message.result as Reply);
    });
    ws.on('close', () => (this.closed = true));
    ws.on('error', () => (this.closed = true));
  }

  static open(socketUrl: string, origin: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(socketUrl, { origin, maxPayload: 64 * 1024 * 1024 });
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('error', reject);
    });
  }

  send(frame: ReturnType<typeof nextFrame>): void {
    if (this.closed) return;
    if (frame.kind === 'binary') this.ws.send(frame.bytes, { binary: true });
    else {
      if (frame.expectsReply !== undefined) {
        this.pending.set(frame.expectsReply, () => undefined);
        this.sentText.set(frame.expectsReply, frame.text.slice(0, 400));
      }
      this.ws.send(frame.text);
    }
  }

  request(channel: string, input: unknown): Promise<Reply> {
    const id = Math.floor(Math.random() * 1e9);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${channel} got no answer in 10 s`)), 10_000);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.ws.send(JSON.stringify({ t: 'invoke', id, channel, input }));
    });
  }

  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0 && !this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  close(): void {
    this.ws.close();
  }
}

function isTypedResult(result: unknown): boolean {
  if (!result || typeof result !== 'object') return false;
  const r = result as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (r.ok === true) return 'value' in r;
  return r.ok === false && typeof r.error?.message === 'string' && ERROR_CODES.has(r.error.code as ErrorCode);
}

/**
 * One protocol-level attack on a fresh connection, in turn: a frame over the size limit, text
 * that is not UTF-8, a reserved opcode, a frame cut off mid-way, a connection that never speaks.
 */
async function protocolAttack(url: URL, token: string, round: number): Promise<number> {
  const kind = round % 5;
  if (kind === 0) {
    const ws = await Client.open(`ws://${url.host}/rpc?token=${encodeURIComponent(token)}`, url.origin);
    (ws as unknown as { ws: WebSocket }).ws.send(Buffer.alloc(17 * 1024 * 1024, 0x20));
    await new Promise((r) => setTimeout(r, 200));
    ws.close();
    return 1;
  }
  const socket = net.connect(Number(url.port), '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (kind === 4) {
    // Never sends a request: the host must close it by itself.
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    return 1;
  }
  socket.write(
    `GET /rpc?token=${encodeURIComponent(token)} HTTP/1.1\r\nHost: ${url.host}\r\nOrigin: ${url.origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  const mask = randomBytes(4);
  if (kind === 1) socket.write(maskedFrame(0x81, Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), mask)); // invalid UTF-8
  else if (kind === 2) socket.write(maskedFrame(0x83, Buffer.from('hi'), mask)); // reserved opcode
  else socket.write(maskedFrame(0x81, Buffer.alloc(100, 0x41), mask).subarray(0, 30)); // cut off
  await new Promise((r) => setTimeout(r, 100));
  socket.destroy();
  return 1;
}

function maskedFrame(first: number, payload: Buffer, mask: Buffer): Buffer {
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([first, 0x80 | payload.length]), mask, masked]);
}
