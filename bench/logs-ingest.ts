/**
 * Main's log ingestion alone, to iterate on it (not one of `npm run bench`'s figures:
 * bench/logs.bench.ts measures end to end). The drill in its own process flooding one pod (or
 * `LOGS_INGEST_PODS` replicas), a LogView in this process following it with its reports
 * serialised as the web host would send them, and over `LOGS_INGEST_SECONDS` (after
 * `LOGS_INGEST_WARMUP` s): lines/s, CPU per line (the process, and its main thread alone: the
 * rest is V8's concurrent GC), GC by kind, the drill's share of a core, ring blocks allocated.
 *
 * `LOGS_INGEST_RAW=1`: the same request with its chunks only counted (the floor: node's TLS and
 * HTTP); `LOGS_INGEST_RAW=onread`: over tls.connect into one reused read buffer instead; `LOGS_INGEST_MAX_LINES`: the ring's cap; `LOGS_INGEST_KICK=1`: one burst of external
 * memory before measuring (with `LOGS_INGEST_MAX_LINES=20000` it shows the GC state a filling ring leaves); `LOGS_INGEST_PROFILE=<file>`: a CPU profile of
 * the measured seconds; `LOGS_INGEST_HEAP=<file>`: a sampled allocation profile of them.
 * Needs `npm run build` (the drill runs from out/).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import type https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import tls from 'node:tls';
import { Emitter } from '../src/shared/lifetimes';
import { LogView, type PodWatch } from '../src/main/logs/log-view';
import { logPath, openPodLog } from '../src/main/logs/pod-log-request';

const NS = 'codesign-production';
const root = path.resolve(import.meta.dirname, '..');
const env = process.env;
const rate = Number(env.LOGS_INGEST_RATE ?? 2_000_000);
const seconds = Number(env.LOGS_INGEST_SECONDS ?? 8);
const warmup = Number(env.LOGS_INGEST_WARMUP ?? 2);
const pods = Number(env.LOGS_INGEST_PODS ?? 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = await mkdtemp(path.join(os.tmpdir(), 'cockpit-logs-ingest-'));
const kubeconfig = path.join(dir, 'kubeconfig');
const drill = spawn(process.execPath, ['out/main/drill.js', '--kubeconfig', kubeconfig, '--log-rate', String(rate)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
try {
  await new Promise<void>((resolve, reject) => {
    let out = '';
    drill.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (/Kubeconfig \(mode 0600\)/.test(out)) resolve();
    });
    drill.once('exit', (code) => reject(new Error(`the drill exited with ${code}`)));
  });
  const kc = (...args: string[]) => execFileSync('kubectl', [...args, '-n', NS], { env: { ...env, KUBECONFIG: kubeconfig }, encoding: 'utf8' });
  if (pods > 1) {
    kc('patch', 'hpa', 'codesign-api-hpa', '-p', JSON.stringify({ spec: { minReplicas: pods, maxReplicas: pods } }));
    kc('scale', 'deployment/codesign-api', `--replicas=${pods}`);
  }
  let names: string[] = [];
  for (let i = 0; i < 200 && names.length < pods; i++) {
    try {
      names = kc('get', 'pods', '-l', 'app=codesign-api', '--field-selector=status.phase=Running', '-o', 'name').trim().split('\n').filter(Boolean).map((n) => n.replace('pod/', ''));
    } catch {
      /* not up yet */
    }
    if (names.length < pods) await sleep(300);
  }
  const spec = (JSON.parse(kc('get', 'pod', names[0]!, '-o', 'json')) as { spec: { containers: Array<{ name: string }> } }).spec;
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);

  // CPU seconds from /proc (clock ticks of 1/100 s): a whole process, or one of its threads.
  const ticks = (file: string) => {
    const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  const drillCpu = () => ticks(`/proc/${drill.pid}/stat`);
  const mainThreadCpu = () => ticks(`/proc/${process.pid}/task/${process.pid}/stat`);
  const measure = async (lines: () => number) => {
    const [l0, d0, m0, c0, t0] = [lines(), drillCpu(), mainThreadCpu(), process.cpuUsage(), performance.now()];
    await sleep(seconds * 1000);
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    const n = lines() - l0;
    return {
      n,
      text: `${Math.round(n / wall).toLocaleString('en')} lines/s; process CPU ${(((cpu.user + cpu.system) / 1e6 / wall) * 100).toFixed(0)}% of a core, ${((cpu.user + cpu.system) * 1000 / n).toFixed(0)} ns/line (main thread ${(((mainThreadCpu() - m0) * 1e9) / n).toFixed(0)}); the drill ${(((drillCpu() - d0) / wall) * 100).toFixed(0)}% of a core; load ${os.loadavg()[0]!.toFixed(2)}`,
    };
  };

  // One burst of external memory, dropped at once (as a ring filling up makes one): the
  // mark-compact it brings leaves V8's old-space limit tight, and from then on each scavenge of
  // the socket's buffers starts another mark-compact (compare the GC with and without).
  const kick = async () => {
    if (!env.LOGS_INGEST_KICK) return;
    const burst = Array.from({ length: 100 }, () => new Uint8Array(1 << 20).fill(1));
    await sleep(500);
    burst.length = 0;
    await sleep(1500);
  };
  const gcWatch = () => {
    let gcMs = 0;
    const gcKinds = new Map<string, number>();
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gcMs += e.duration;
        const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
        const name = kind === 1 ? 'minor' : kind === 4 ? 'major' : kind === 8 ? 'incremental' : `kind ${kind}`;
        gcKinds.set(name, (gcKinds.get(name) ?? 0) + 1);
      }
    });
    gc.observe({ entryTypes: ['gc'] });
    return () => {
      gc.disconnect();
      return `GC ${Math.round(gcMs)} ms (${[...gcKinds].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'})`;
    };
  };

  if (env.LOGS_INGEST_RAW === 'onread') {
    // The same request over tls.connect reading into one reused buffer (`onread`): no buffer per
    // read. The body's framing is not parsed (newlines counted): what a reader of its own would start from.
    const options: https.RequestOptions = { headers: {} };
    await config.applyToHTTPSOptions(options);
    const server = new URL(config.getCurrentCluster()!.server);
    const target = logPath({ namespace: NS, pod: names[0]!, container: spec.containers[0]!.name, follow: true, tailLines: 0 });
    let lines = 0;
    const buffer = Buffer.allocUnsafe(64 * 1024);
    const socket = tls.connect({
      host: server.hostname,
      port: Number(server.port || 443),
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      rejectUnauthorized: options.rejectUnauthorized,
      onread: {
        buffer,
        callback: (n: number) => {
          for (let i = buffer.indexOf(10); i !== -1 && i < n; i = buffer.indexOf(10, i + 1)) lines++;
          return true;
        },
      },
    } as tls.ConnectionOptions);
    const headers = Object.entries(options.headers ?? {})
      .map(([k, v]) => `${k}: ${String(v)}\r\n`)
      .join('');
    socket.once('secureConnect', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: ${server.host}\r\n${headers}\r\n`));
    await sleep(warmup * 1000);
    await kick();
    const gcDone = gcWatch();
    const result = await measure(() => lines);
    console.log(`raw, one reused read buffer: ${result.text}; ${gcDone()}`);
    socket.destroy();
  } else if (env.LOGS_INGEST_RAW) {
    let lines = 0;
    const handle = await openPodLog(config, 'drill', { namespace: NS, pod: names[0]!, container: spec.containers[0]!.name, follow: true, tailLines: 0 }, (c) => {
      for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) lines++;
    });
    await sleep(warmup * 1000);
    await kick();
    const gcDone = gcWatch();
    const result = await measure(() => lines);
    console.log(`raw, https.request: ${result.text}; ${gcDone()}`);
    handle.abort();
  } else {
    const raw = (name: string) => ({ metadata: { name, namespace: NS, labels: { app: 'codesign-api' } }, spec, status: { phase: 'Running', containerStatuses: spec.containers.map((c) => ({ name: c.name, restartCount: 0, state: { running: {} } })) } });
    const items = new Map(names.map((n) => [n, raw(n)]));
    const watch: PodWatch = { list: { items: items as never }, synced: true, state: { state: 'synced' } as never, onDidChange: new Emitter<unknown>().event, onDidSync: new Emitter<void>().event, onDidChangeStatus: new Emitter<never>().event };
    const view = new LogView({
      id: 'ingest',
      context: 'drill',
      namespace: NS,
      source: pods > 1 ? { kind: 'deployment', name: 'codesign-api' } : { kind: 'pod', name: names[0]! },
      options: { follow: true, tailLines: 500, ...(env.LOGS_INGEST_MAX_LINES ? { maxLines: Number(env.LOGS_INGEST_MAX_LINES) } : {}) },
      config,
      client: { getJson: (async (p: string) => (p.includes('/deployments/') ? { spec: { selector: { matchLabels: { app: 'codesign-api' } } } } : items.get(p.split('/').pop()!))) as never },
      pods: watch,
      logger: { info: () => undefined, warn: (e, f) => console.warn(e, f), error: (e, f) => console.error(e, f) },
    });
    // What the web host would send, and the ring blocks allocated (a full ring reuses the ones it frees).
    let sent = 0;
    const ring = view.ring as unknown as { blocks: Array<{ data: Uint8Array }> };
    const seenBlocks = new WeakSet<Uint8Array>();
    let freshBlocks = 0;
    view.onDidReport((event) => {
      sent += JSON.stringify(event).length;
      for (const b of ring.blocks) {
        if (seenBlocks.has(b.data)) continue;
        seenBlocks.add(b.data);
        freshBlocks++;
      }
    });
    await view.start();
    view.followTail(50, false);
    await sleep(warmup * 1000);
    await kick();
    const gcDone = gcWatch();
    const session = env.LOGS_INGEST_PROFILE || env.LOGS_INGEST_HEAP ? new Session() : undefined;
    session?.connect();
    if (env.LOGS_INGEST_HEAP) await session!.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    else if (session) {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
    }
    const [sent0, fresh0] = [sent, freshBlocks];
    const result = await measure(() => view.ring.nextSeq);
    const wall = seconds;
    if (env.LOGS_INGEST_HEAP) writeFileSync(env.LOGS_INGEST_HEAP, JSON.stringify((await session!.post('HeapProfiler.stopSampling')).profile));
    else if (session) writeFileSync(env.LOGS_INGEST_PROFILE!, JSON.stringify((await session.post('Profiler.stop')).profile));
    session?.disconnect();
    const gcText = gcDone();
    console.log(
      `${pods} pod(s): ${result.text}; ${gcText}; reports ${Math.round((sent - sent0) / wall / 1024)} KiB/s; ${freshBlocks - fresh0} ring blocks allocated`,
    );
    view.dispose();
  }
} finally {
  drill.kill('SIGTERM');
  await new Promise((r) => drill.once('exit', r));
  await rm(dir, { recursive: true, force: true });
}
