/**
 * Live-data platform figures: bytes through a stream from a main-side provider into a Chromium
 * page over the web host, against the same bytes over a bare `ws` socket in the same run; batch
 * latency at 50k events/s; main's memory for a reader that stops acknowledging; and the web
 * host's start to URL and to first paint of the shell.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { MemoryLogger } from '../src/main/app/logger';
import { ContractDispatcher, type RequestHandlers, type StreamProviders, type StreamSink } from '../src/main/host/dispatcher';
import { BYTE_STREAM_FLOW } from '../src/main/host/stream-session';
import { WebHost } from '../src/main/host/web-host';
import { toDisposable } from '../src/shared/lifetimes';
import { launchChromium } from '../test/e2e/support/browser';
import type { Report } from './report';

const TOTAL_BYTES = Number(process.env.BENCH_STREAM_MB ?? 256) * 1024 * 1024;
const CHUNK = 64 * 1024;
const root = path.resolve(import.meta.dirname, '..');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Produces `total` bytes in `chunk`-sized pieces as fast as the sink lets it, pausing when told. */
function byteSource(sink: StreamSink<unknown>, total: number, chunk: number, untilMs?: number) {
  const piece = new Uint8Array(chunk).fill(0x61);
  let sent = 0;
  let stopped = false;
  const started = Date.now();
  const pump = () => {
    if (stopped) return;
    while (!sink.paused && !sink.closed && sent < total && (untilMs === undefined || Date.now() - started < untilMs)) {
      sink.emit(piece);
      sent += chunk;
      if (sent % (4 * 1024 * 1024) === 0) break; // yield to the event loop now and then
    }
    if (sent >= total) sink.end('done');
    else if (untilMs !== undefined && Date.now() - started >= untilMs) sink.end('time');
    else if (!sink.paused) setImmediate(pump);
  };
  const resume = sink.onDidResume(() => setImmediate(pump));
  setImmediate(pump);
  return {
    offered: () => sent,
    dispose: () => {
      stopped = true;
      resume.dispose();
    },
  };
}

async function benchHost(): Promise<{ host: WebHost; rendererDir: string }> {
  const rendererDir = await mkdtemp(path.join(os.tmpdir(), 'cockpit-bench-page-'));
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><html><head><title>bench</title></head><body>bench</body></html>');
  const providers = {
    'bench:bytes': (input: { total: number }, sink: StreamSink<unknown>) => byteSource(sink, input.total, CHUNK),
    'bench:events': (input: { perTick: number; ticks: number }, sink: StreamSink<unknown>) => {
      let tick = 0;
      const timer = setInterval(() => {
        const at = performance.timeOrigin + performance.now();
        for (let i = 0; i < input.perTick; i++) sink.emit({ at, i, line: 'GET /api/v1/sign 200 12ms' });
        if (++tick >= input.ticks) {
          clearInterval(timer);
          sink.end('done');
        }
      }, 10);
      return toDisposable(() => clearInterval(timer));
    },
    'bench:flood': (_input: unknown, sink: StreamSink<unknown>) => byteSource(sink, Number.MAX_SAFE_INTEGER, CHUNK, 10_000),
  };
  const contract = {
    requests: {},
    streams: {
      'bench:bytes': { input: z.object({ total: z.number() }), bytes: true },
      'bench:events': { input: z.object({ perTick: z.number(), ticks: z.number() }) },
      'bench:flood': { input: z.object({}), bytes: true },
    },
  };
  const dispatcher = new ContractDispatcher({} as RequestHandlers, providers as unknown as StreamProviders, new MemoryLogger(), contract);
  const host = await WebHost.start({
    dispatcher,
    rendererDir,
    bridgeFile: path.join(root, 'out', 'web-bridge', 'web-bridge.js'),
    logger: new MemoryLogger(),
  });
  return { host, rendererDir };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function median(values: number[]): number {
  return percentile(values, 50);
}

export async function run(report: Report): Promise<void> {
  const { host, rendererDir } = await benchHost();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    // tsx names functions with esbuild's __name helper, which the page does not have.
    await page.context().addInitScript('globalThis.__name = (f) => f');
    await page.goto(host.url);

    // Bytes through the stream session into the page.
    const streamMs = await page.evaluate(
      (total) =>
        new Promise<number>((resolve, reject) => {
          const started = performance.now();
          let received = 0;
          (globalThis as unknown as { cockpit: { subscribe: (n: string, i: unknown, h: unknown) => void } }).cockpit.subscribe(
            'bench:bytes',
            { total },
            {
              events: (chunks: Uint8Array[]) => {
                for (const c of chunks) received += c.byteLength;
              },
              end: () => (received >= total ? resolve(performance.now() - started) : reject(new Error(`ended after ${received} bytes`))),
              error: (e: { message: string }) => reject(new Error(e.message)),
            },
          );
        }),
      TOTAL_BYTES,
    );

    // The same bytes over a bare ws socket, into a page with no bridge at all.
    // Served from its own origin: Chromium refuses a blank page's socket to loopback.
    const rawHttp = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>raw</title>'));
    const raw = new WebSocketServer({ server: rawHttp });
    await new Promise<void>((resolve) => rawHttp.listen(0, '127.0.0.1', () => resolve()));
    raw.on('connection', (ws) => {
      const piece = Buffer.alloc(CHUNK, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < TOTAL_BYTES && ws.bufferedAmount < BYTE_STREAM_FLOW.highWaterMark!) {
          ws.send(piece, { binary: true });
          sent += CHUNK;
        }
        if (sent < TOTAL_BYTES) setTimeout(pump, 1);
      };
      pump();
    });
    const rawPage = await browser.newPage();
    await rawPage.context().addInitScript('globalThis.__name = (f) => f');
    await rawPage.goto(`http://127.0.0.1:${(rawHttp.address() as AddressInfo).port}/`);
    const rawMs = await rawPage.evaluate(
      ({ port, total }) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
          ws.binaryType = 'arraybuffer';
          let received = 0;
          let started = 0;
          ws.onopen = () => (started = performance.now());
          ws.onmessage = (m) => {
            received += (m.data as ArrayBuffer).byteLength;
            if (received >= total) {
              resolve(performance.now() - started);
              ws.close();
            }
          };
        }),
      { port: (rawHttp.address() as AddressInfo).port, total: TOTAL_BYTES },
    );
    raw.close();
    rawHttp.close();
    const mb = TOTAL_BYTES / (1024 * 1024);
    const streamRate = mb / (streamMs / 1000);
    const rawRate = mb / (rawMs / 1000);
    report('stream MB/s, web host', streamRate, 'MB/s', 'as high as the raw socket allows');
    report('stream MB/s, raw websocket', rawRate, 'MB/s', 'the peer, same run');
    report('stream ratio vs raw websocket', streamRate / rawRate, 'x', '>= 0.8');
    if (process.env.BENCH_DEBUG) console.log({ streamMs, rawMs });

    // Batch latency at 50k events/s: 500 events every 10 ms for 4 s.
    const latencies = await page.evaluate(
      () =>
        new Promise<number[]>((resolve, reject) => {
          const seen: number[] = [];
          (globalThis as unknown as { cockpit: { subscribe: (n: string, i: unknown, h: unknown) => void } }).cockpit.subscribe(
            'bench:events',
            { perTick: 500, ticks: 400 },
            {
              events: (events: Array<{ at: number }>) => {
                const now = performance.timeOrigin + performance.now();
                for (const e of events) seen.push(now - e.at);
              },
              end: () => resolve(seen),
              error: (e: { message: string }) => reject(new Error(e.message)),
            },
          );
        }),
    );
    report('stream batch latency p99 at 50k events/s', percentile(latencies.slice(latencies.length / 10), 99), 'ms', '<= 50 ms');

    // A reader that never acknowledges while 100 MB/s (or more) is offered for 10 s.
    gc();
    const before = process.memoryUsage();
    const peak = { bytes: 0 };
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak.bytes = Math.max(peak.bytes, now.heapUsed + now.arrayBuffers - before.heapUsed - before.arrayBuffers);
    }, 50);
    const stalled = page
      .evaluate(
      () =>
        new Promise<string>((resolve) => {
          (globalThis as unknown as { cockpit: { subscribe: (n: string, i: unknown, h: unknown) => void } }).cockpit.subscribe(
            'bench:flood',
            {},
            { manualAck: true, events: () => undefined, end: (r: string) => resolve(`end ${r}`), error: (e: { message: string }) => resolve(`error ${e.message}`) },
          );
        }),
      )
      .catch(() => 'page closed');
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    gc();
    const after = process.memoryUsage();
    clearInterval(sampler);
    const settled = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
    report('stream main memory, stalled reader', Math.max(0, settled) / (1024 * 1024), 'MB', `<= ${(2 * BYTE_STREAM_FLOW.highWaterMark!) / (1024 * 1024)} MB (2x the high-water mark)`);
    report('stream main memory peak, stalled reader', peak.bytes / (1024 * 1024), 'MB', 'bounded, no GC forced');
    await page.close();
    await stalled;
  } finally {
    await browser.close();
    await host.close();
    await rm(rendererDir, { recursive: true, force: true });
  }

  await webHostStart(report);
}

/** `node out/main/web.js` to its printed URL, and to the first paint of the shell in Chromium. */
export async function webHostStart(report: Report): Promise<void> {
  const toUrl: number[] = [];
  const toInteractive: number[] = [];
  const browser = await launchChromium();
  try {
    for (let i = 0; i < 5; i++) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cockpit-bench-start-'));
      const started = performance.now();
      const child = spawn(process.execPath, ['out/main/web.js', '--data-dir', dataDir, '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let output = '';
          child.stdout.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            const match = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
            if (match) resolve(match[1]!);
          });
          child.once('exit', (code) => reject(new Error(`web host exited with ${code}: ${output}`)));
        });
        toUrl.push(performance.now() - started);
        const page = await browser.newPage();
        await page.goto(url);
        await page.getByRole('navigation').first().waitFor({ state: 'visible' });
        toInteractive.push(performance.now() - started);
        await page.close();
      } finally {
        await new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  report('web host start to URL', median(toUrl) / 1000, 's', 'median of 5');
  report('web host start to interactive', median(toInteractive) / 1000, 's', '<= 1.0 s, median of 5');
}
