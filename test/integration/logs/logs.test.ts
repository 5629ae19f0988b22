/**
 * Log views against the drill cluster: a deployment followed through a rollout restart (old pods
 * marked gone, new ones joined), a resume after the API server restarts (no repeated line, no
 * gap against what the API then serves), specific errors for a missing pod / container /
 * previous instance, and `previous` of a container the memory leak killed.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/main/app/logger';
import { ClusterService } from '../../../src/main/cluster/cluster-service';
import { ContextService } from '../../../src/main/contexts/context-service';
import type { StreamSink } from '../../../src/main/host/dispatcher';
import { LogService } from '../../../src/main/logs/log-service';
import type { LogView } from '../../../src/main/logs/log-view';
import type { LogOptions, LogSource, LogViewEvent } from '../../../src/shared/contract/logs';
import { Emitter, type IDisposable } from '../../../src/shared/lifetimes';
import { parseStamp, stampMillis } from '../../../src/shared/logs/stamps';
import { ContainerLog, formatLine, type TimedLine } from '../../../packages/drill-cluster/src/streams/pod-logs';
import { StampFormatter } from '../../../packages/drill-cluster/src/streams/log-lines';
import type { DrillPodRef, KubeObject, LogProfile } from '../../../packages/drill-cluster/src/types';
import { DRILL_NS, startLogsDrill, type LogsDrill } from './drill-fixture';

const logger = new MemoryLogger();
const disposables: IDisposable[] = [];
/** Context services live per drill (per describe), views per test. */
const services: IDisposable[] = [];
afterAll(() => {
  for (const d of services.splice(0)) d.dispose();
});
afterEach(() => {
  for (const d of disposables.splice(0).reverse()) d.dispose();
});
/** The cluster service (shared informers) behind each context service made here. */
const clusters = new Map<ContextService, ClusterService>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordingSink(): StreamSink<LogViewEvent> & { events: LogViewEvent[]; ended?: string; pause(): void; resume(): void } {
  const pause = new Emitter<void>();
  const resume = new Emitter<void>();
  const sink = {
    pause: () => pause.fire(),
    resume: () => resume.fire(),
    events: [] as LogViewEvent[],
    ended: undefined as string | undefined,
    paused: false,
    closed: false,
    onDidPause: pause.event,
    onDidResume: resume.event,
    emit: (event: LogViewEvent) => void (!sink.closed && sink.events.push(event)),
    end: (reason?: string) => {
      sink.closed = true;
      sink.ended = reason ?? 'end';
    },
    fail: (error: Error) => {
      sink.closed = true;
      sink.ended = `failed: ${error.message}`;
    },
  };
  return sink;
}

async function logService(drill: LogsDrill): Promise<LogService> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'logs-it-'));
  const file = path.join(dir, 'config');
  await writeFile(file, drill.kubeconfig('drill'));
  const contexts = new ContextService({ paths: [file], logger, drillKubeconfig: async () => undefined, watchFiles: false, healthIntervalMs: 0 });
  services.push(contexts);
  await contexts.list();
  const cluster = new ClusterService({ contexts, logger });
  clusters.set(contexts, cluster);
  return new LogService({ contexts, cluster, evidence: { addFile: async () => Promise.reject(new Error('no evidence here')) }, logger });
}

async function open(logs: LogService, source: LogSource, options: LogOptions = {}): Promise<{ view: LogView; sink: ReturnType<typeof recordingSink> }> {
  const sink = recordingSink();
  disposables.push(await logs.open({ context: 'drill', namespace: DRILL_NS, source, options }, sink));
  const opened = sink.events.find((e) => e.type === 'opened');
  if (!opened || opened.type !== 'opened') throw new Error('no opened event');
  return { view: logs.view(opened.viewId), sink };
}

const texts = (view: LogView) => [...view.shownSeqs(false)].map((seq) => view.lineText(seq, false));
const runningApiPods = (drill: LogsDrill) =>
  drill
    .pods()
    .filter((p) => p.metadata.labels?.app === 'codesign-api' && (p.status as { phase?: string })?.phase === 'Running' && !p.metadata.deletionTimestamp)
    .map((p) => p.metadata.name);

describe('logs against the drill at simulated speed', () => {
  let drill: LogsDrill;
  let logs: LogService;
  beforeAll(async () => {
    drill = await startLogsDrill({ speed: 300, logLinesPerSecond: 50 });
    logs = await logService(drill);
  });
  afterAll(async () => drill?.stop());

  it('follows a deployment through a rollout restart: old pods marked gone, new pods joined, lines kept', async () => {
    const { view } = await open(logs, { kind: 'deployment', name: 'codesign-api' }, { follow: true, tailLines: 5 });
    const before = runningApiPods(drill);
    expect(before.length).toBeGreaterThan(0);
    await expect.poll(() => view.sources().filter((s) => s.state === 'streaming').map((s) => s.pod).sort(), { timeout: 15_000 }).toEqual([...before].sort());
    await expect.poll(() => view.ring.nextSeq, { timeout: 10_000 }).toBeGreaterThan(before.length * 5);
    const linesBefore = view.ring.nextSeq;
    drill.rolloutRestart('codesign-api');
    await expect
      .poll(() => view.sources().filter((s) => before.includes(s.pod)).every((s) => s.state === 'gone'), { timeout: 60_000, interval: 250 })
      .toBe(true);
    await expect
      .poll(() => view.sources().filter((s) => !before.includes(s.pod) && s.state === 'streaming' && s.lines > 0).length, { timeout: 60_000, interval: 250 })
      .toBeGreaterThan(0);
    // Nothing of the old pods was dropped: their lines are still in the view.
    expect(view.ring.firstSeq).toBe(0);
    expect(view.ring.nextSeq).toBeGreaterThan(linesBefore);
    const oldSources = new Set(view.sources().filter((s) => before.includes(s.pod)).map((s) => s.id));
    expect([...view.shownSeqs(false)].some((seq) => oldSources.has(view.ring.sourceAt(seq)))).toBe(true);
    // The pods came from the namespace's shared informer: one LIST, then its watch; no polling.
    const [cluster] = [...clusters.values()];
    const { informer, handle } = await cluster!.acquire('drill', 'pods', DRILL_NS);
    handle.dispose();
    expect(informer.stats.lists).toBe(1);
  }, 90_000);

  it('reads a stern-style query: a pod-name regex plus a label selector', async () => {
    const api = runningApiPods(drill).sort();
    const { view } = await open(logs, { kind: 'query', podPattern: '^codesign-api-', labelSelector: 'app=codesign-api' }, { follow: true, tailLines: 2 });
    await expect.poll(() => [...new Set(view.sources().filter((s) => s.state === 'streaming').map((s) => s.pod))].sort(), { timeout: 15_000 }).toEqual(api);
    const { view: redis } = await open(logs, { kind: 'query', podPattern: '^redis-' }, { follow: false, tailLines: 2 });
    await expect.poll(() => redis.sources().map((s) => s.pod), { timeout: 15_000 }).toEqual(['redis-0']);
    await expect(open(logs, { kind: 'query', podPattern: '(a)\\1' })).rejects.toMatchObject({ code: 'Invalid', message: expect.stringMatching(/pod pattern .* RE2/) });
    await expect(open(logs, { kind: 'query', podPattern: '.*', labelSelector: 'app=(x' })).rejects.toMatchObject({ code: 'Invalid', message: expect.stringMatching(/label selector "app=\(x" .*unbalanced/) });
  });

  it('reads a workload once without following: tail N of each pod, never read again', async () => {
    const { view } = await open(logs, { kind: 'deployment', name: 'codesign-api' }, { follow: false, tailLines: 5 });
    const pods = runningApiPods(drill).length;
    await expect.poll(() => view.sources().length > 0 && view.sources().every((s) => s.state === 'ended'), { timeout: 15_000 }).toBe(true);
    view.drain(true);
    const lines = view.ring.nextSeq;
    expect(lines).toBe(view.sources().length * 5);
    expect(view.sources().length).toBeGreaterThanOrEqual(Math.min(pods, 1));
    await sleep(1200);
    view.drain(true);
    expect(view.ring.nextSeq).toBe(lines);
  });

  it('refuses a pod that does not exist and a container that does not exist, each by name', async () => {
    await expect(open(logs, { kind: 'pod', name: 'codesign-api-does-not-exist' })).rejects.toMatchObject({
      code: 'NotFound',
      message: expect.stringMatching(/pod "codesign-api-does-not-exist" not found in namespace codesign-production/),
    });
    const pod = runningApiPods(drill)[0]!;
    await expect(open(logs, { kind: 'pod', name: pod, container: 'sidecar-nope' })).rejects.toMatchObject({
      code: 'NotFound',
      message: expect.stringMatching(new RegExp(`container "sidecar-nope" is not in pod "${pod}"; it has: `)),
    });
    await expect(open(logs, { kind: 'deployment', name: 'no-such-deployment' })).rejects.toMatchObject({ code: 'NotFound', message: expect.stringMatching(/deployment "no-such-deployment" not found/) });
  });

  it('refuses `previous` for a container that never restarted, and reads it for one the memory leak killed', async () => {
    const fresh = drill.pods().find((p) => p.metadata.labels?.app === 'codesign-api' && restarts(p) === 0 && (p.status as { phase?: string })?.phase === 'Running')!;
    await expect(open(logs, { kind: 'pod', name: fresh.metadata.name }, { previous: true })).rejects.toMatchObject({
      code: 'NotFound',
      message: expect.stringMatching(/has no previous container instance/),
    });
    drill.setScenario('memory-leak', true);
    try {
      let killed: string | undefined;
      await expect
        .poll(
          () => (killed = drill.pods().find((p) => p.metadata.labels?.app === 'codesign-api' && restarts(p) > 0)?.metadata.name),
          { timeout: 60_000, interval: 250 },
        )
        .toBeTruthy();
      const { view } = await open(logs, { kind: 'pod', name: killed! }, { previous: true });
      await expect.poll(() => view.sources()[0]?.state, { timeout: 15_000 }).toBe('ended');
      const lines = texts(view);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).toMatch(/OOM|Killed|memory|shutting down|Worker/i);
    } finally {
      drill.setScenario('memory-leak', false);
    }
  }, 90_000);
});

function restarts(pod: KubeObject): number {
  return ((pod.status as { containerStatuses?: Array<{ restartCount?: number }> })?.containerStatuses ?? []).reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
}

interface StampedText {
  /** The stamp, in ms since the epoch (fraction kept), as the ring holds it. */
  time: number;
  text: string;
}

/** The view's lines as it holds them (unmasked, to compare with the API's), with their stamps. */
const stampedLines = (view: LogView): StampedText[] => [...view.shownSeqs(false)].map((seq) => ({ time: view.ring.timeAt(seq), text: Buffer.from(view.ring.bytesOf(seq)).toString('utf8') }));

/** The lines that are there twice (the same stamp and text as one before them), with where. */
function repeated(lines: StampedText[]): Array<StampedText & { at: number; first: number }> {
  const seen = new Map<string, number>();
  const out: Array<StampedText & { at: number; first: number }> = [];
  lines.forEach((line, at) => {
    const key = `${line.time} ${line.text}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, at);
    else out.push({ ...line, at, first });
  });
  return out;
}

/** What the API serves (not following) from the millisecond of `fromMs` on, as stamped lines. */
async function servedLines(drill: LogsDrill, pod: string, fromMs: number): Promise<StampedText[]> {
  const since = new Date(Math.floor(fromMs)).toISOString();
  return (await fetchLog(drill, pod, `timestamps=true&sinceTime=${encodeURIComponent(since)}`)).map((line) => {
    const bytes = Buffer.from(line);
    const stamp = parseStamp(bytes, 0, bytes.length)!;
    return { time: stampMillis(stamp), text: bytes.subarray(stamp.bodyStart).toString() };
  });
}

/** The API's own answer for a pod's log (not following), as stamped lines. */
function fetchLog(drill: LogsDrill, pod: string, query: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(drill.kubeconfig())![1]!, 'base64').toString();
    const req = https.request(`${drill.url}/api/v1/namespaces/${DRILL_NS}/pods/${pod}/log?${query}`, { headers: { Authorization: `Bearer ${drill.token}` }, ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body.split('\n').filter(Boolean)));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the drill’s log stamps, which a resume relies on', () => {
  it('gives every entry one stamp, strictly after the one before, alike in the history and the follow stream', () => {
    const pod = { namespace: DRILL_NS, name: 'codesign-api-x', app: 'codesign-api', containers: [{ name: 'codesign-api' }], startedAt: Date.parse('2026-11-27T10:00:00.000Z'), restartCount: 0, phase: 'Running' } as unknown as DrillPodRef;
    const profile = { linesPerSecond: 2_000_000, errorRatio: 0.02, latencyMs: { p50: 80, p95: 300 }, authFailureRatio: 0.01, memoryMiB: 300, memoryLimitMiB: 1024, dbPool: { size: 20, inUse: 5, exhausted: false } } as unknown as LogProfile;
    const log = new ContainerLog(pod, 'codesign-api', profile);
    let previous = { sec: -1, nano: 0 };
    for (let k = 5_000_000; k < 5_020_000; k++) {
      const text = log.entryText(k, true);
      const bytes = Buffer.from(text);
      const stamp = parseStamp(bytes, 0, bytes.indexOf(10))!;
      expect(stamp.sec > previous.sec || (stamp.sec === previous.sec && stamp.nano > previous.nano)).toBe(true);
      previous = stamp;
      const history: TimedLine[] = [];
      if (k % 1000 === 0) {
        log.entry(k, undefined, history);
        expect(history.map((l) => formatLine(l, true)).join('')).toBe(text);
      }
    }
    const stamps = new StampFormatter();
    expect(stamps.format(Date.parse('2026-11-27T10:00:00.120Z'), 0)).toBe('2026-11-27T10:00:00.12Z');
    expect(stamps.format(Date.parse('2026-11-27T10:00:00.120Z'), 4500)).toBe('2026-11-27T10:00:00.1200045Z');
    expect(stamps.format(Date.parse('2026-11-27T10:00:01.000Z'), 0)).toBe('2026-11-27T10:00:01Z');
  });
});

describe('logs against the drill in real time', () => {
  let drill: LogsDrill;
  let logs: LogService;
  beforeAll(async () => {
    drill = await startLogsDrill({ logLinesPerSecond: 200 });
    logs = await logService(drill);
  });
  afterAll(async () => drill?.stop());

  // It used to fail about 1 run in 3: the drill stamped followed lines with the batch's clock
  // reading (sub-millisecond digits not in order) and its history by the entry's own time, so
  // `sinceTime` = the last stamp seen asked for lines stamped otherwise than the ones streamed.
  // Now an entry has one stamp, strictly increasing, in both; the gate then drops exactly the
  // repeats (see ResumeGate for what the API cannot tell apart: lines sharing one stamp).
  // Then it failed now and then (issue 9, "6 of 475 lines twice"; 1 run of 150 here): the check
  // compared texts without their stamps, and a traceback's six lines (no request id in them) are
  // the same text each time a request logs it; two requests 0.8 s apart did. The view was what the
  // API serves, line for line. Lines are told apart by stamp and text now.
  it('resumes after the API server restarts from the last stamp: no line twice, no gap against what the API serves', { timeout: 60_000 }, async () => {
    const pod = runningApiPods(drill)[0]!;
    const { view } = await open(logs, { kind: 'pod', name: pod }, { follow: true, tailLines: 20 });
    await expect.poll(() => view.ring.nextSeq, { timeout: 10_000 }).toBeGreaterThan(100);
    let boundary = 0;
    await drill.restartApiServer(async () => {
      await sleep(300);
      view.drain(true);
      boundary = view.ring.nextSeq;
      await sleep(1200);
    });
    await expect.poll(() => view.sources()[0]?.resumes ?? 0, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await expect.poll(() => view.ring.nextSeq - boundary, { timeout: 10_000 }).toBeGreaterThan(300);
    view.drain(true);

    const all = stampedLines(view);
    // No line twice: no two lines with one stamp and one text (the drill's entries each have their own stamp).
    expect(repeated(all)).toEqual([]);
    // Stamps never go back across the resume.
    for (let i = 1; i < all.length; i++) expect(all[i]!.time).toBeGreaterThanOrEqual(all[i - 1]!.time);

    // No gap: what we took after the drop is what the API serves after the last line before it.
    const lastBefore = all[boundary - 1]!.time;
    const served = (await servedLines(drill, pod, lastBefore)).filter((l) => l.time > lastBefore);
    const ours = all.slice(boundary, boundary + 50);
    expect(served.length).toBeGreaterThanOrEqual(50);
    expect(ours).toEqual(served.slice(0, 50));
    // And the whole view, across the resume, is what the API serves for its span, line for line
    // (the first and last stamps left out: the tail may start, and the read end, inside an entry).
    const first = all[0]!.time;
    const last = all.at(-1)!.time;
    const inside = (l: StampedText) => l.time > first && l.time < last;
    expect(all.filter(inside)).toEqual((await servedLines(drill, pod, first)).filter(inside));
  });

  it('stops reading the pods while the subscriber is paused, and reads on, losing nothing, when it resumes', async () => {
    const pod = runningApiPods(drill)[0]!;
    const { view, sink } = await open(logs, { kind: 'pod', name: pod }, { follow: true, tailLines: 0 });
    await expect.poll(() => view.ring.nextSeq, { timeout: 10_000 }).toBeGreaterThan(50);
    sink.pause();
    await sleep(500);
    view.drain(true);
    const paused = view.ring.nextSeq;
    await sleep(1500);
    view.drain(true);
    // What was in flight may land; no more than a socket's worth (the drill writes ~200 lines/s).
    expect(view.ring.nextSeq - paused).toBeLessThan(150);
    sink.resume();
    await expect.poll(() => view.ring.nextSeq - paused, { timeout: 10_000 }).toBeGreaterThan(300);
    view.drain(true);
    const all = stampedLines(view);
    // No line twice, told apart by stamp and text (a traceback's lines are the same text each time).
    expect(repeated(all)).toEqual([]);
    // Nothing skipped: the drill's lines are ~5 ms apart; no hole as long as the pause.
    for (let i = 1; i < all.length; i++) expect(all[i]!.time - all[i - 1]!.time).toBeLessThan(1000);
  }, 30_000);

  it('pushes the newest lines with its reports while the subscriber follows, and stops when asked', async () => {
    const pod = runningApiPods(drill)[0]!;
    const { view, sink } = await open(logs, { kind: 'pod', name: pod }, { follow: true, tailLines: 10 });
    expect(view.followTail(40, false)).toBe(true);
    const tails = () => sink.events.filter((e): e is Extract<LogViewEvent, { type: 'tail' }> => e.type === 'tail');
    await expect.poll(() => tails().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const last = tails().at(-1)!;
    expect(last.lines.length).toBeGreaterThan(0);
    expect(last.lines.at(-1)!.seq).toBe(last.from + last.lines.length - 1);
    expect(last.lines.map((l) => l.seq)).toEqual(last.lines.map((_, i) => last.from + i));
    expect(view.followTail(0, false)).toBe(false);
    await sleep(200);
    const count = tails().length;
    await sleep(500);
    expect(tails().length).toBe(count);
  });

  it('ends every view of a context when the context’s scope goes (a switch, a kubeconfig edit)', async () => {
    const own = await logService(drill);
    const contexts = services[services.length - 1]!;
    const pod = runningApiPods(drill)[0]!;
    const { sink } = await open(own, { kind: 'pod', name: pod }, { follow: true, tailLines: 1 });
    expect(own.viewCount).toBe(1);
    contexts.dispose();
    expect(own.viewCount).toBe(0);
    expect(sink.ended).toBe('context changed');
  });
});
