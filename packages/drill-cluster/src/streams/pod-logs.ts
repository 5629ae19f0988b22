/**
 * `GET .../pods/{name}/log`: history synthesised from the container's start to now, then (with
 * `follow`) new lines at the profile's rate, written in batches that respect backpressure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DrillClock, DrillPodRef, LogProfile } from '../types';
import { ReseedableRandom, StampFormatter, hashString, logModelFor, rfc3339Nano, type AppLogModel } from './log-lines';
import { sendStatus } from './status';

/** At most this many history lines unless `tailLines` asks for another number. */
export const DEFAULT_BACKLOG_LINES = 5000;
/** Simulated time between the steps of a finite (Job) log. */
const FINITE_STEP_MS = 10_000;
const MAX_CHUNK_BYTES = 256 * 1024;

export interface LogQuery {
  container: string;
  follow: boolean;
  tailLines?: number;
  sinceMs?: number;
  timestamps: boolean;
  previous: boolean;
  limitBytes?: number;
}

export interface ContainerChoice {
  name?: string;
  error?: string;
}

/** Picks the container as the API server does: required when several, and must exist. */
export function resolveContainer(pod: DrillPodRef, requested: string | null | undefined): ContainerChoice {
  const names = pod.containers.map((c) => c.name);
  if (requested) {
    return names.includes(requested) ? { name: requested } : { error: `container ${requested} is not valid for pod ${pod.name}` };
  }
  if (names.length === 1) return { name: names[0] };
  if (names.length === 0) return { error: `pod ${pod.name} has no containers` };
  return { error: `a container name must be specified for pod ${pod.name}, choose one of: [${names.join(' ')}]` };
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? Math.floor(value) : undefined;
}

function boolParam(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  return raw === 'true' || raw === '1';
}

/** Parses and validates the log query; an error string is the 400 message. */
export function parseLogQuery(pod: DrillPodRef, query: URLSearchParams, now: number): LogQuery | string {
  const choice = resolveContainer(pod, query.get('container'));
  if (!choice.name) return choice.error ?? 'invalid container';
  const previous = boolParam(query, 'previous');
  if (previous && pod.restartCount === 0) {
    return `previous terminated container "${choice.name}" in pod "${pod.name}" not found`;
  }
  if (pod.phase === 'Pending' && pod.restartCount === 0 && !previous) {
    return `container "${choice.name}" in pod "${pod.name}" is waiting to start: ContainerCreating`;
  }
  const tailLines = intParam(query, 'tailLines');
  const sinceSeconds = intParam(query, 'sinceSeconds');
  const sinceTime = query.get('sinceTime');
  const limitBytes = intParam(query, 'limitBytes');
  if (sinceSeconds !== undefined && sinceSeconds < 1) return 'sinceSeconds: Invalid value: must be greater than 0';
  if (limitBytes !== undefined && limitBytes < 1) return 'limitBytes: Invalid value: must be greater than 0';
  let sinceMs: number | undefined;
  if (sinceSeconds !== undefined) sinceMs = now - sinceSeconds * 1000;
  if (sinceTime) {
    const parsed = Date.parse(sinceTime);
    if (Number.isNaN(parsed)) return `sinceTime: Invalid value: "${sinceTime}": must be an RFC3339 time`;
    sinceMs = parsed;
  }
  return {
    container: choice.name,
    follow: boolParam(query, 'follow') && !previous,
    tailLines: tailLines !== undefined && tailLines >= 0 ? tailLines : undefined,
    sinceMs,
    timestamps: boolParam(query, 'timestamps'),
    previous,
    limitBytes,
  };
}

export interface TimedLine {
  /** Whole milliseconds since the epoch. */
  timeMs: number;
  /** The nanoseconds within that millisecond (0..999,999), in the RFC3339Nano prefix. */
  nanos: number;
  text: string;
}

/** A container instance's log as a function of the entry index: the same seed gives the same lines. */
export class ContainerLog {
  model: AppLogModel;
  readonly rate: number;
  private readonly seed: number;
  private readonly random = new ReseedableRandom();
  private readonly scratch: string[] = [];
  private readonly stamps = new StampFormatter();

  constructor(
    readonly pod: DrillPodRef,
    readonly container: string,
    public profile: LogProfile,
    seed = 0,
    public instanceStart = pod.startedAt,
    instance = pod.restartCount,
  ) {
    this.model = logModelFor(pod, profile);
    this.rate = Math.max(0.001, profile.linesPerSecond * (this.model.rateShare ?? 1));
    this.seed = hashString(`${pod.namespace}/${pod.name}/${container}#${instance}`, (0x811c9dc5 ^ seed) >>> 0);
  }

  /** Moves the instance's start (the previous instance is laid out backwards from its end). */
  rebase(instanceStart: number): void {
    this.instanceStart = instanceStart;
  }

  /** Follows what the app does now (a scenario changed its profile); the rate stays as it was. */
  refresh(profile: LogProfile): void {
    this.profile = profile;
    this.model = logModelFor(this.pod, profile);
  }

  private stepMs(): number {
    return this.model.finiteEntries !== undefined ? FINITE_STEP_MS : 1000 / this.rate;
  }

  /** When entry `k` was written: evenly paced, with a deterministic jitter inside its slot. */
  timeOf(k: number): number {
    return this.instanceStart + this.offsetOf(k);
  }

  /**
   * Entry `k`'s stamp as whole ms and the nanoseconds within it. Every entry has its own stamp,
   * strictly after the one before (slots never overlap), and the history and the follow stream
   * stamp an entry alike: so `sinceTime` = a stamp seen resumes exactly after it, as on a real
   * kubelet whose log file keeps each line's stamp.
   */
  stampOf(k: number): { wholeMs: number; nanos: number } {
    // The offset from the instance's start keeps its precision (an epoch in ms does not, to the ns).
    const base = Math.floor(this.instanceStart);
    const offset = this.instanceStart - base + this.offsetOf(k);
    const whole = Math.floor(offset);
    return { wholeMs: base + whole, nanos: Math.floor((offset - whole) * 1_000_000) };
  }

  private offsetOf(k: number): number {
    const step = this.stepMs();
    const jitter = this.model.finiteEntries !== undefined ? 0 : (Math.imul(k + 1, 0x9e3779b1) >>> 0) / 4294967296;
    return (k + jitter * 0.9) * step;
  }

  /** Entries written by `now` (simulated). */
  entriesBy(now: number): number {
    const elapsed = Math.max(0, now - this.instanceStart);
    const n = Math.floor(elapsed / this.stepMs()) + (this.model.finiteEntries !== undefined ? 1 : 0);
    return this.model.finiteEntries !== undefined ? Math.min(this.model.finiteEntries, n) : n;
  }

  /** Appends entry `k`'s lines, with its own stamp (`stampOf`), or at `timeMs` when the caller has a clock of its own. */
  entry(k: number, timeMs: number | undefined, out: TimedLine[], scratch: string[] = []): void {
    scratch.length = 0;
    const { wholeMs, nanos } = timeMs === undefined ? this.stampOf(k) : { wholeMs: Math.floor(timeMs), nanos: 0 };
    this.random.seed(this.seed ^ Math.imul(k + 1, 0x9e3779b1));
    this.model.entry(k, wholeMs, this.random.next, scratch);
    for (const text of scratch) out.push({ timeMs: wholeMs, nanos, text });
  }

  /** Entry `k` as response text, one `\n`-terminated line each: the follow path, without per-line objects. */
  entryText(k: number, timestamps: boolean): string {
    const scratch = this.scratch;
    scratch.length = 0;
    const { wholeMs, nanos } = this.stampOf(k);
    this.random.seed(this.seed ^ Math.imul(k + 1, 0x9e3779b1));
    this.model.entry(k, wholeMs, this.random.next, scratch);
    if (scratch.length === 1) return timestamps ? `${this.stamps.format(wholeMs, nanos)} ${scratch[0]}\n` : `${scratch[0]}\n`;
    const prefix = timestamps ? `${this.stamps.format(wholeMs, nanos)} ` : '';
    let text = '';
    for (const line of scratch) text += `${prefix}${line}\n`;
    return text;
  }

  /** The current instance's history up to `now`, honouring since and tail. */
  history(now: number, tailLines: number | undefined, sinceMs: number | undefined): { lines: TimedLine[]; nextEntry: number } {
    const out: TimedLine[] = [];
    const scratch: string[] = [];
    if (this.profile.crashLooping && this.model.finiteEntries === undefined) {
      this.model.crash(this.instanceStart, scratch);
      for (const text of scratch) out.push({ timeMs: this.instanceStart, nanos: 0, text });
      return { lines: applyTail(filterSince(out, sinceMs), tailLines), nextEntry: 0 };
    }
    const total = this.entriesBy(now);
    const cap = tailLines ?? DEFAULT_BACKLOG_LINES;
    let from = Math.max(0, total - cap);
    if (sinceMs !== undefined && sinceMs > this.instanceStart) {
      // Entry k is written inside its slot [k, k + 0.9) × step: the one whose slot holds `sinceMs`
      // may be at or after it (filterSince keeps it then).
      from = Math.max(from, Math.floor((sinceMs - this.instanceStart) / this.stepMs()));
    }
    if (from === 0 && (sinceMs === undefined || sinceMs <= this.instanceStart)) {
      this.model.startup(this.instanceStart, scratch);
      for (const text of scratch) out.push({ timeMs: this.instanceStart, nanos: 0, text });
    }
    for (let k = from; k < total; k++) this.entry(k, undefined, out, scratch);
    return { lines: applyTail(filterSince(out, sinceMs), cap), nextEntry: total };
  }

  /** The previous instance: some entries, then how it ended (kill, OOM or traceback). */
  static previous(pod: DrillPodRef, container: string, profile: LogProfile, seed: number, tailLines: number | undefined): TimedLine[] {
    const end = pod.lastTermination?.finishedAt ?? pod.startedAt;
    const reason = pod.lastTermination?.reason ?? 'Error';
    const exitCode = pod.lastTermination?.exitCode ?? 1;
    const entries = Math.min(tailLines ?? DEFAULT_BACKLOG_LINES, 300);
    const log = new ContainerLog(pod, container, profile, seed, end, pod.restartCount - 1);
    const start = end - (entries * 1000) / log.rate;
    log.rebase(start);
    const out: TimedLine[] = [];
    const scratch: string[] = [];
    const crashed = reason !== 'OOMKilled' && reason !== 'Completed' && exitCode !== 0 && exitCode !== 143;
    if (crashed && (profile.crashLooping || log.model.finiteEntries !== undefined)) {
      log.model.crash(end, scratch);
    } else {
      log.model.startup(start, scratch);
      for (const text of scratch) out.push({ timeMs: start, nanos: 0, text });
      for (let k = 0; k < entries; k++) log.entry(k, undefined, out, scratch);
      scratch.length = 0;
      log.model.ending(reason, exitCode, end, scratch);
    }
    for (const text of scratch) out.push({ timeMs: end, nanos: 0, text });
    return applyTail(out, tailLines);
  }
}

function filterSince(lines: TimedLine[], sinceMs: number | undefined): TimedLine[] {
  return sinceMs === undefined ? lines : lines.filter((l) => l.timeMs >= sinceMs);
}

function applyTail(lines: TimedLine[], tailLines: number | undefined): TimedLine[] {
  if (tailLines === undefined || lines.length <= tailLines) return lines;
  return tailLines === 0 ? [] : lines.slice(-tailLines);
}

export function formatLine(line: TimedLine, timestamps: boolean): string {
  return timestamps ? `${rfc3339Nano(line.timeMs, line.nanos)} ${line.text}\n` : `${line.text}\n`;
}

export interface PodLogServerOptions {
  clock: DrillClock;
  /** Mixed into every container's seed. */
  seed?: number;
  /** Re-reads the pod while following: a deleted pod or a new container instance ends the stream. */
  podLookup?: (namespace: string, name: string) => DrillPodRef | undefined;
  /** How often the follower checks the pod (real ms). */
  podCheckIntervalMs?: number;
}

/** Serves one log request; the caller has done auth and found the pod. */
export function serveLog(
  options: PodLogServerOptions,
  _req: IncomingMessage,
  res: ServerResponse,
  pod: DrillPodRef,
  query: URLSearchParams,
): void {
  const now = options.clock.now();
  const parsed = parseLogQuery(pod, query, now);
  if (typeof parsed === 'string') {
    sendStatus(res, 400, 'BadRequest', parsed);
    return;
  }
  const profile = pod.logProfile();
  const seed = options.seed ?? 0;
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  const sink = new LimitedSink(res, parsed.limitBytes);
  if (parsed.previous) {
    const lines = ContainerLog.previous(pod, parsed.container, profile, seed, parsed.tailLines);
    sink.writeLines(lines, parsed.timestamps);
    sink.end();
    return;
  }
  const log = new ContainerLog(pod, parsed.container, profile, seed);
  const { lines, nextEntry } = log.history(now, parsed.tailLines, parsed.sinceMs);
  const finished = profile.crashLooping || (log.model.finiteEntries !== undefined && nextEntry >= log.model.finiteEntries);
  const open = sink.writeLines(lines, parsed.timestamps);
  if (!parsed.follow || !open || finished) {
    sink.end();
    return;
  }
  res.flushHeaders();
  new LogFollower(options, res, sink, log, nextEntry, parsed.timestamps).start();
}

/** Writes to the response, stopping at `limitBytes`. */
class LimitedSink {
  written = 0;
  closed = false;
  constructor(
    private readonly res: ServerResponse,
    private readonly limitBytes: number | undefined,
  ) {}

  /** Writes text; false when the limit was reached (and the response ended). */
  write(text: string): boolean {
    if (this.closed) return false;
    if (this.limitBytes !== undefined) {
      const bytes = Buffer.byteLength(text);
      if (this.written + bytes >= this.limitBytes) {
        const remaining = this.limitBytes - this.written;
        this.res.write(Buffer.from(text).subarray(0, remaining));
        this.written = this.limitBytes;
        this.end();
        return false;
      }
      this.written += bytes;
    }
    this.res.write(text);
    return true;
  }

  writeLines(lines: TimedLine[], timestamps: boolean): boolean {
    let chunk = '';
    for (const line of lines) {
      chunk += formatLine(line, timestamps);
      if (chunk.length >= MAX_CHUNK_BYTES) {
        if (!this.write(chunk)) return false;
        chunk = '';
      }
    }
    return chunk ? this.write(chunk) : !this.closed;
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.res.end();
  }
}

/** Streams new entries at the profile's real-time rate until the client goes or the pod changes. */
class LogFollower {
  private sent = 0;
  private startedReal = 0;
  private timer: NodeJS.Timeout | undefined;
  private podTimer: NodeJS.Timeout | undefined;
  private profileTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  constructor(
    private readonly options: PodLogServerOptions,
    private readonly res: ServerResponse,
    private readonly sink: LimitedSink,
    private readonly log: ContainerLog,
    private nextEntry: number,
    private readonly timestamps: boolean,
  ) {}

  start(): void {
    this.startedReal = performance.now();
    this.res.on('close', () => this.stop(false));
    this.profileTimer = setInterval(() => this.log.refresh((this.options.podLookup?.(this.log.pod.namespace, this.log.pod.name) ?? this.log.pod).logProfile()), 500);
    this.profileTimer.unref?.();
    const lookup = this.options.podLookup;
    if (lookup) {
      const pod = this.log.pod;
      this.podTimer = setInterval(() => {
        const current = lookup(pod.namespace, pod.name);
        if (!current || current.restartCount !== pod.restartCount || current.startedAt !== pod.startedAt) this.stop(true);
      }, this.options.podCheckIntervalMs ?? 500);
      this.podTimer.unref?.();
    }
    this.tick();
  }

  private stop(endResponse: boolean): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.podTimer) clearInterval(this.podTimer);
    if (this.profileTimer) clearInterval(this.profileTimer);
    if (endResponse) this.sink.end();
  }

  /**
   * Entries due at the real-time rate and not sent yet. Each goes out with its own stamp
   * (`stampOf`), the one the history gives it, which at real speed is at most one slot before
   * it is sent; at a simulated speed above real time the stream falls behind the simulated
   * clock, as a slow reader would.
   */
  private dueEntries(): number {
    if (this.log.model.finiteEntries !== undefined) {
      return Math.max(0, this.log.entriesBy(this.options.clock.now()) - this.nextEntry);
    }
    const elapsed = (performance.now() - this.startedReal) / 1000;
    return Math.floor(elapsed * this.log.rate) - this.sent;
  }

  private tick = (): void => {
    this.timer = undefined;
    if (this.stopped) return;
    const finite = this.log.model.finiteEntries;
    let due = this.dueEntries();
    if (due > 0) {
      let chunk = '';
      let flowing = true;
      while (due > 0 && flowing) {
        const batch = Math.min(due, 4096);
        for (let i = 0; i < batch; i++) chunk += this.log.entryText(this.nextEntry++, this.timestamps);
        this.sent += batch;
        due -= batch;
        if (chunk.length >= MAX_CHUNK_BYTES || due === 0) {
          const before = this.sink.closed;
          const ok = this.sink.write(chunk);
          chunk = '';
          if (this.sink.closed && !before) {
            this.stop(false);
            return;
          }
          flowing = ok && this.res.writableNeedDrain !== true;
        }
      }
      if (finite !== undefined && this.nextEntry >= finite) {
        this.stop(true);
        return;
      }
      if (!flowing) {
        this.res.once('drain', this.tick);
        return;
      }
    }
    const wait = finite !== undefined ? 200 : Math.min(1000, Math.max(4, 1000 / this.log.rate));
    this.timer = setTimeout(this.tick, wait);
  };
}
