/**
 * One log view: the pods its source names (picked out of the namespace's shared pod informer,
 * the cluster domain's list + watch, so new pods join as they start and pods that go away are
 * marked, never dropped), one follower per pod × container, the lines merged in stamp order into
 * a bounded ring, and the filter's matches kept up to date as lines arrive. Everything it starts
 * is in its own DisposableStore, released with the view.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { LogFilter, LogOptions, LogSource, LogSourceInfo, LogStats, LogViewEvent, LogWindowLine } from '../../shared/contract/logs';
import { LineMerger } from '../../shared/logs/line-merger';
import { LineRing } from '../../shared/logs/line-ring';
import { maskSecrets } from '../../shared/logs/mask-secrets';
import { ResumeGate } from '../../shared/logs/resume-gate';
import { formatStamp, parseStamp, stampMillis, type StampedLine } from '../../shared/logs/stamps';
import { Disposable, Emitter, toDisposable, type Event, type IDisposable } from '../../shared/lifetimes';
import { CockpitFailure } from '../../shared/result';
import type { Logger } from '../app/logger';
import type { InformerStatus } from '../cluster/informer';
import type { KubeClient } from '../cluster/kube-client';
import type { KubeObject } from '../../shared/k8s/objects';
import { matchesLabels, parseLabelSelector, requirementsOf, type LabelRequirement, type LabelSelectorObject } from '../../shared/logs/label-selector';
import type { FilterThread } from './filter-thread';
import { CompiledFilter, runLinesOf } from './log-filter';
import { LogRequestFailure, openPodLog, type PodLogHandle } from './pod-log-request';
import { SeqList } from './seq-list';
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import RE2 from 're2';

export interface LogViewDeps {
  id: string;
  context: string;
  namespace: string;
  source: LogSource;
  options: LogOptions;
  config: KubeConfig;
  client: Pick<KubeClient, 'getJson'>;
  /** The namespace's pods as the cluster domain's shared informer holds them (list + watch). */
  pods: PodWatch;
  logger: Logger;
  /** How long the first pod list may take (default 15 s). */
  syncTimeoutMs?: number;
  /** How long a merged line may wait for an earlier one from another pod (default 30 ms). */
  mergeHoldMs?: number;
  /** A second thread for full filter passes (the service's); without it a pass runs on main alone. */
  filterThread?: Pick<FilterThread, 'scan' | 'lastPassThreads'>;
}

/** What a view reads of a pod informer (src/main/cluster's `Informer`). */
export interface PodWatch {
  readonly list: { readonly items: ReadonlyMap<string, KubeObject> };
  readonly synced: boolean;
  readonly state: InformerStatus;
  readonly onDidChange: Event<unknown>;
  readonly onDidSync: Event<void>;
  readonly onDidChangeStatus: Event<InformerStatus>;
}

interface PodSummary {
  name: string;
  containers: string[];
  /** Containers that have started at least once (running or terminated). */
  started: Set<string>;
  restarts: Map<string, number>;
  terminating: boolean;
  phase: string;
}

const WORKLOAD_PATHS: Record<string, string> = {
  deployment: '/apis/apps/v1/namespaces/{ns}/deployments/{name}',
  statefulset: '/apis/apps/v1/namespaces/{ns}/statefulsets/{name}',
  daemonset: '/apis/apps/v1/namespaces/{ns}/daemonsets/{name}',
  job: '/apis/batch/v1/namespaces/{ns}/jobs/{name}',
};

const MAX_LINE_BYTES = 1024 * 1024;
/** Merged lines moved into the ring per turn of the event loop, at most. */
const MERGE_SLICE = 8192;
const RETRY_MS = [250, 500, 1000, 2000, 5000];
/** Counts and the followed tail go to the page 20 times a second... */
const REPORT_MS = 50;
/**
 * ... and 12.5 times while a flood replaces the whole followed screen between two reports: nobody
 * reads that, the stream is still seen moving, and the page repaints a third less, which on a
 * laptop's few cores is CPU the streams and the rest of the app get.
 */
const FLOOD_REPORT_MS = 80;

/** One pod × container stream, resumed from its last stamp after a drop. */
export class ContainerFollower extends Disposable {
  readonly info: LogSourceInfo;
  readonly gate = new ResumeGate();
  /** Each line's stamp is parsed into this (the gate and the ring copy what they keep). */
  private readonly stampScratch: StampedLine = { sec: 0, nano: 0, bodyStart: 0 };
  /** A chunk's admitted lines, as columns: where each starts (after its stamp) and ends, and its time. */
  private run = { starts: new Int32Array(1024), ends: new Int32Array(1024), times: new Float64Array(1024) };
  /** Which connection's chunks are read: bumped when one drops or another opens. */
  private connection = 0;
  private handle: PodLogHandle | undefined;
  private carry: Buffer | undefined;
  private opened = false;
  private attempt = 0;
  private paused = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Between asking for the stream and its answer: the next poll must not open a second one. */
  private opening = false;

  constructor(
    private readonly view: LogView,
    id: number,
    readonly pod: string,
    readonly container: string,
  ) {
    super();
    this.info = { id, pod, container, state: 'waiting', lines: 0, resumes: 0, repeatsDropped: 0 };
    this.register(toDisposable(() => this.stop()));
  }

  get running(): boolean {
    return this.opening || this.handle !== undefined || this.timer !== undefined;
  }

  start(): void {
    if (this.stopped || this.running) return;
    void this.open();
  }

  pause(): void {
    this.paused = true;
    this.handle?.pause();
  }

  resume(): void {
    this.paused = false;
    this.handle?.resume();
  }

  /** The pod went away: its lines stay, its stream stops. */
  markGone(): void {
    this.stop();
    this.setState('gone', 'the pod went away');
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.handle?.abort();
    this.handle = undefined;
    this.flushCarry();
  }

  private setState(state: LogSourceInfo['state'], message?: string): void {
    this.info.state = state;
    if (message) this.info.message = message;
    else delete this.info.message;
    this.view.sourcesChanged();
  }

  private async open(): Promise<void> {
    const { options } = this.view;
    const follow = options.follow !== false && !options.previous;
    // Resume after a drop: from the last stamp seen (`sinceTime`, nanoseconds kept), the gate
    // dropping what the server sends again. No duplicate and no gap as far as the API allows:
    // lines that share the last stamp are told apart only by their text's hash and count (two
    // identical lines at one stamp are one line twice to us), lines without a stamp cannot be
    // matched, and lines the kubelet rotated away while we were cut off are gone from the server.
    const resuming = this.opened && this.gate.lastStamp !== undefined;
    if (resuming) this.gate.reopen();
    const since = resuming ? { sinceTime: formatStamp(this.gate.lastStamp!) } : this.view.initialSince();
    // Chunks a dropped connection still delivers are ignored: the resume asks for them again,
    // and letting them through the gate after it reopened would let the replay repeat lines.
    const connection = ++this.connection;
    this.opening = true;
    try {
      this.timer = undefined;
      const handle = await openPodLog(
        this.view.config,
        this.view.context,
        {
          namespace: this.view.namespace,
          pod: this.pod,
          container: this.container,
          follow,
          ...(options.previous ? { previous: true } : {}),
          ...(!resuming && options.tailLines !== undefined ? { tailLines: options.tailLines } : {}),
          ...since,
        },
        (chunk) => {
          if (connection === this.connection) this.onData(chunk);
        },
      );
      this.opening = false;
      if (this.stopped) {
        handle.abort();
        return;
      }
      this.handle = handle;
      if (this.paused) handle.pause();
      if (this.opened) this.info.resumes++;
      this.opened = true;
      this.attempt = 0;
      this.view.merger.open(this.info.id);
      this.setState('streaming');
      await handle.done.then(
        () => this.ended(follow),
        (error: unknown) => this.dropped(error),
      );
    } catch (error) {
      this.opening = false;
      this.refused(error);
    }
  }

  private ended(follow: boolean): void {
    this.handle = undefined;
    this.flushCarry();
    this.view.merger.close(this.info.id);
    if (this.stopped) return;
    if (!follow) {
      // Read once, completely: never opened again (that would repeat it).
      this.stopped = true;
      this.setState('ended', this.view.options.previous ? 'the previous instance’s log, complete' : 'complete (not following)');
      return;
    }
    // A followed stream ends when the container stops or the pod goes; the pod list says which.
    this.setState('reconnecting', 'the stream ended; checking the pod');
    this.retry();
  }

  private dropped(error: unknown): void {
    this.connection++;
    this.handle = undefined;
    // The cut connection's unfinished last line is not a line: the resume, from the last stamp
    // taken, asks the server for it again, whole. Taken here, it would be shown twice: cut, then
    // whole (another text to the gate, so not a repeat).
    this.carry = undefined;
    this.view.merger.close(this.info.id);
    if (this.stopped) return;
    this.setState('reconnecting', error instanceof Error ? error.message : String(error));
    this.retry();
  }

  private refused(error: unknown): void {
    this.handle = undefined;
    if (this.stopped) return;
    if (error instanceof LogRequestFailure) {
      if (error.refusal === 'pod-not-found') {
        this.markGone();
        return;
      }
      if (error.refusal === 'not-started') {
        this.setState('waiting', error.message);
        this.retry();
        return;
      }
      if (error.refusal === 'container-not-found' || error.refusal === 'no-previous' || error.code === 'Forbidden' || error.code === 'Unauthorized') {
        this.stop();
        this.setState('failed', error.message);
        this.view.problem(error, this.info.id);
        return;
      }
    }
    this.setState('reconnecting', error instanceof Error ? error.message : String(error));
    this.retry();
  }

  private retry(): void {
    if (this.stopped) return;
    const wait = RETRY_MS[Math.min(this.attempt++, RETRY_MS.length - 1)]!;
    this.timer = setTimeout(() => void this.open(), wait);
  }

  /** A piece of the stream, a view of its reused read buffer: nothing here keeps it past the call. */
  private onData(piece: Buffer): void {
    const now = performance.now();
    // Lines waiting to be merged are kept by reference: a merged view gets its own copy.
    const chunk = this.view.queuesLines ? Buffer.from(piece) : piece;
    let data = chunk;
    let start = 0;
    if (this.carry) {
      // Only the carried part line is joined; the rest of the chunk is read in place.
      const first = chunk.indexOf(10);
      if (first === -1) {
        data = Buffer.concat([this.carry, chunk]);
        this.carry = undefined;
      } else {
        const joined = Buffer.concat([this.carry, chunk.subarray(0, first)]);
        this.carry = undefined;
        this.take(joined, 0, joined.length, now);
        start = first + 1;
      }
    }
    // The chunk's whole lines go to the view as one run (`LogView.acceptRun`): no call, copy or
    // object per line past the stamp and the gate.
    let count = 0;
    let newline = data.indexOf(10, start);
    while (newline !== -1) {
      count = this.admitLine(data, start, newline, count);
      start = newline + 1;
      newline = data.indexOf(10, start);
    }
    this.hand(data, count, now);
    if (start < data.length) {
      if (data.length - start > MAX_LINE_BYTES) {
        this.take(data, start, data.length, now);
      } else {
        this.carry = Buffer.from(data.subarray(start));
      }
    }
    // The gate keeps the last stamp's lines by reference until a newer stamp: hashed now.
    this.gate.settle();
    this.view.scheduleDrain();
  }

  private growRun(): void {
    const size = this.run.starts.length * 2;
    const grow = <T extends Int32Array | Float64Array>(from: T, to: T) => {
      to.set(from);
      return to;
    };
    this.run = { starts: grow(this.run.starts, new Int32Array(size)), ends: grow(this.run.ends, new Int32Array(size)), times: grow(this.run.times, new Float64Array(size)) };
  }

  /** The last line of a stream that ended (or was stopped) without its newline: a line all the same. */
  private flushCarry(): void {
    if (!this.carry) return;
    const carry = this.carry;
    this.carry = undefined;
    this.take(carry, 0, carry.length, performance.now());
    this.view.scheduleDrain();
  }

  /** One line on its own (a carried part joined, an overlong one, the last of a stream). */
  private take(data: Buffer, start: number, end: number, now: number): void {
    this.hand(data, this.admitLine(data, start, end, 0), now);
  }

  /**
   * The line `data[start, end)` (its `\r` dropped): its stamp parsed and, when the gate admits
   * it, put at `count` in the run; answers the run's new length.
   */
  private admitLine(data: Buffer, start: number, end: number, count: number): number {
    if (end > start && data[end - 1] === 13) end--;
    const stamp = parseStamp(data, start, end, this.stampScratch);
    const bodyStart = stamp ? stamp.bodyStart : start;
    if (!this.gate.admit(stamp, data, bodyStart, end)) {
      this.info.repeatsDropped++;
      return count;
    }
    if (count === this.run.starts.length) this.growRun();
    this.run.starts[count] = bodyStart;
    this.run.ends[count] = end;
    this.run.times[count] = stamp ? stampMillis(stamp) : Number.NaN;
    return count + 1;
  }

  /** The run's `count` admitted lines of `data` go to the view. */
  private hand(data: Buffer, count: number, now: number): void {
    if (count === 0) return;
    this.info.lines += count;
    this.view.acceptRun(this.info.id, now, data, this.run.starts, this.run.ends, this.run.times, count);
  }
}

/** A view's lines, sources and filter. */
export class LogView extends Disposable {
  readonly ring: LineRing;
  readonly merger: LineMerger;
  private readonly followers = new Map<string, ContainerFollower>();
  private readonly sourceList: ContainerFollower[] = [];
  private filter: CompiledFilter | undefined;
  /** Lines below this seq have been counted and filtered (`drain`). */
  private scannedTo = 0;
  private matches = new SeqList();
  private drainTimer: NodeJS.Timeout | undefined;
  /** Set once the view has started (its first pods applied) and reports. */
  private reportTimer: NodeJS.Timeout | undefined;
  private podsScheduled = false;
  private labelRequirements: LabelRequirement[] = [];
  private podPattern: RE2 | undefined;
  private sourcesDirty = true;
  private statsDirty = true;
  private paused = false;
  private rateWindow: Array<[number, number]> = [];
  private lastFilterMs: number | undefined;
  /** Threads the last full pass ran on (2 when the filter thread took runs), kept for its log line written 50 ms later. */
  private lastFilterThreads = 1;
  /** What the subscriber follows (`followTail`), and the position after the last tail pushed. */
  private following: { lines: number; filtered: boolean } | undefined;
  private tailSentTo = -1;
  private readonly openedAt = Date.now();
  private readonly didReport = this.register(new Emitter<LogViewEvent>());
  /** Stats, sources and problems, throttled to 20 a second (the followed list repaints on each). */
  readonly onDidReport: Event<LogViewEvent> = this.didReport.event;

  constructor(private readonly deps: LogViewDeps) {
    super();
    // Shared memory, so the filter thread can read what the ring holds.
    this.ring = new LineRing({ shared: true, ...(deps.options.maxLines !== undefined ? { maxLines: deps.options.maxLines } : {}) });
    this.merger = new LineMerger(deps.mergeHoldMs ?? 30);
    this.register(
      toDisposable(() => {
        clearTimeout(this.drainTimer);
        clearTimeout(this.reportTimer);
        for (const f of this.followers.values()) f.dispose();
        this.followers.clear();
      }),
    );
  }

  get id(): string {
    return this.deps.id;
  }
  get context(): string {
    return this.deps.context;
  }
  get namespace(): string {
    return this.deps.namespace;
  }
  get config(): KubeConfig {
    return this.deps.config;
  }
  get options(): LogOptions {
    return this.deps.options;
  }
  get source(): LogSource {
    return this.deps.source;
  }
  get compiledFilter(): CompiledFilter | undefined {
    return this.filter;
  }
  get currentFilter(): LogFilter | undefined {
    return this.filter?.filter;
  }

  /** What the view shows, in words: `deployment/codesign-api`, `pods ~ /^api-/ with app=x`. */
  describe(): string {
    const s = this.deps.source;
    const container = s.container ? ` -c ${s.container}` : '';
    if (s.kind === 'query') return `pods ~ /${s.podPattern}/${s.labelSelector ? ` with ${s.labelSelector}` : ''}${container}`;
    return `${s.kind}/${s.name}${container}`;
  }

  /** Finds the pods (refusing with a specific error when the pod, container or workload is not there) and starts. */
  async start(): Promise<void> {
    const s = this.deps.source;
    if (s.kind === 'pod') {
      const pod = await this.getPod(s.name);
      if (s.container && !pod.containers.includes(s.container)) {
        throw new CockpitFailure('NotFound', `container "${s.container}" is not in pod "${s.name}"; it has: ${pod.containers.join(', ')}`, undefined, this.scope('pods'));
      }
      if (this.deps.options.previous) {
        const containers = s.container ? [s.container] : pod.containers;
        if (containers.every((c) => (pod.restarts.get(c) ?? 0) === 0)) {
          throw new CockpitFailure('NotFound', `pod "${s.name}" has no previous container instance: ${containers.join(', ')} never restarted`, undefined, this.scope('pods'));
        }
      }
    } else if (s.kind === 'query') {
      try {
        this.podPattern = new RE2(s.podPattern, '');
      } catch (error) {
        throw new CockpitFailure('Invalid', `the pod pattern /${s.podPattern}/ is not a pattern RE2 accepts: ${error instanceof Error ? error.message : String(error)}`);
      }
      try {
        this.labelRequirements = parseLabelSelector(s.labelSelector?.trim() ?? '');
      } catch (error) {
        throw new CockpitFailure('Invalid', `the label selector "${s.labelSelector}" is not one the API accepts: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else {
      this.labelRequirements = requirementsOf(await this.workloadSelector(s.kind, s.name));
    }
    await this.podsSynced();
    this.applyPods(this.selectedPods());
    // Every change the informer applies (a pod added, its containers started, deleted) is looked at once per turn.
    this.register(
      this.deps.pods.onDidChange(() => {
        if (this.podsScheduled) return;
        this.podsScheduled = true;
        setImmediate(() => {
          this.podsScheduled = false;
          if (!this.isDisposed) this.applyPods(this.selectedPods());
        });
      }),
    );
    this.scheduleReport(REPORT_MS);
  }

  private scheduleReport(ms: number): void {
    this.reportTimer = setTimeout(() => {
      if (this.isDisposed) return;
      this.scheduleReport(this.report() ? FLOOD_REPORT_MS : REPORT_MS);
    }, ms);
  }

  /** Waits for the informer's first list; refuses the view with its error when it cannot list pods. */
  private async podsSynced(): Promise<void> {
    const pods = this.deps.pods;
    if (pods.synced) return;
    await new Promise<void>((resolve, reject) => {
      const store: IDisposable[] = [];
      const done = (error?: CockpitFailure) => {
        for (const d of store) d.dispose();
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const failIfDenied = (status: InformerStatus) => {
        if (status.state === 'failed' && status.error) {
          done(new CockpitFailure(status.error.code, status.error.message, undefined, this.scope('pods')));
        }
      };
      const timer = setTimeout(
        () => done(new CockpitFailure('Unavailable', `the pods of namespace ${this.namespace} in ${this.context} were not listed in time${pods.state.error ? `: ${pods.state.error.message}` : ''}`, undefined, this.scope('pods'))),
        this.deps.syncTimeoutMs ?? 15_000,
      );
      store.push(pods.onDidSync(() => done()), pods.onDidChangeStatus(failIfDenied));
      failIfDenied(pods.state);
    });
  }

  /** The informer's pods this view reads, by name. */
  private selectedPods(): PodSummary[] {
    const s = this.deps.source;
    const out: PodSummary[] = [];
    for (const pod of this.deps.pods.list.items.values()) {
      if (pod.metadata.namespace !== undefined && pod.metadata.namespace !== this.namespace) continue;
      if (s.kind === 'pod') {
        if (pod.metadata.name !== s.name) continue;
      } else {
        if (this.podPattern && !this.podPattern.test(pod.metadata.name)) continue;
        if (!matchesLabels(this.labelRequirements, pod.metadata.labels)) continue;
      }
      out.push(summarise(pod as RawPod));
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  pause(): void {
    this.paused = true;
    for (const f of this.followers.values()) f.pause();
  }

  resume(): void {
    this.paused = false;
    for (const f of this.followers.values()) f.resume();
  }

  /** How the first request of each container is limited: since (seconds or time). */
  initialSince(): { sinceSeconds?: number; sinceTime?: string } {
    const since = this.deps.options.since;
    if (!since) return {};
    return 'seconds' in since ? { sinceSeconds: since.seconds } : { sinceTime: new Date(since.time).toISOString() };
  }

  sourcesChanged(): void {
    this.sourcesDirty = true;
  }

  problem(error: CockpitFailure, source?: number): void {
    this.deps.logger.warn('logs.problem', { view: this.id, code: error.code, message: error.message });
    this.didReport.fire({ type: 'problem', error: error.toError(), ...(source !== undefined ? { source } : {}) });
  }

  scheduleDrain(): void {
    if (this.drainTimer) return;
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      this.drain(false);
    }, 5);
  }

  /** Lines go to the merger (kept there by reference until they may go), not straight into the ring. */
  get queuesLines(): boolean {
    return this.merger.size > 0 || this.sourceList.length > 1;
  }

  /**
   * A chunk's admitted lines of one source, in order (`bytes[starts[i], ends[i])`, each ending
   * before the next starts; times in ms, NaN without a stamp). With one source and nothing
   * queued they go straight into the ring as one run (no ordering to do); else the merger orders
   * them against the other sources.
   */
  acceptRun(source: number, arrived: number, bytes: Uint8Array, starts: Int32Array, ends: Int32Array, times: Float64Array, count: number): void {
    if (!this.queuesLines) {
      this.ring.appendRun(bytes, starts, ends, times, count, source);
      return;
    }
    for (let i = 0; i < count; i++) this.merger.add(source, times[i]!, arrived, bytes, starts[i]!, ends[i]!);
  }

  /**
   * Merged lines on their way into the ring: consecutive lines of one source's chunk are gathered
   * (`flushMerged` hands them to the ring as one run, as the single-source path does).
   */
  private mergedRun = { bytes: undefined as Uint8Array | undefined, source: 0, count: 0, starts: new Int32Array(1024), ends: new Int32Array(1024), times: new Float64Array(1024) };

  private readonly appendMerged = (source: number, bytes: Uint8Array, start: number, end: number, time: number) => {
    const run = this.mergedRun;
    if (run.count > 0 && (bytes !== run.bytes || source !== run.source || start <= run.ends[run.count - 1]! || run.count === run.starts.length)) this.flushMerged();
    if (run.count === 0) {
      run.bytes = bytes;
      run.source = source;
    }
    run.starts[run.count] = start;
    run.ends[run.count] = end;
    run.times[run.count] = time;
    run.count++;
  };

  private flushMerged(): void {
    const run = this.mergedRun;
    if (run.count === 0) return;
    this.ring.appendRun(run.bytes!, run.starts, run.ends, run.times, run.count, run.source);
    run.count = 0;
    run.bytes = undefined;
  }

  /** Moves what the merger may release into the ring, and filters the new lines. */
  drain(force: boolean): void {
    if (this.merger.size > 0) {
      // A slice at a time: a backlog of merged lines must not keep the reports (and the followed
      // list's repaints) waiting; the rest goes on the next turn.
      const before = this.merger.size;
      this.merger.drain(performance.now(), this.appendMerged, force, force ? Infinity : MERGE_SLICE);
      this.flushMerged();
      if (!force && before - this.merger.size >= MERGE_SLICE) {
        clearTimeout(this.drainTimer);
        this.drainTimer = setTimeout(() => {
          this.drainTimer = undefined;
          this.drain(false);
        }, 0);
      } else if (this.merger.size > 0) {
        this.scheduleDrain();
      }
    }
    const from = this.scannedTo;
    const to = this.ring.nextSeq;
    if (to === from) return;
    this.scannedTo = to;
    this.matches.dropBelow(this.ring.firstSeq);
    if (this.filter) this.filter.scan(this.ring, Math.max(from, this.ring.firstSeq), to, (seq) => this.matches.push(seq));
    const now = Date.now();
    this.rateWindow.push([now, to - from]);
    this.statsDirty = true;
  }

  /**
   * Sets the filter and runs it over every held line. `tookMs` is the pass's wall time, `cpuMs`
   * the CPU the process spent meanwhile (on a loaded machine the wall time also counts the time
   * the process waited for a core).
   */
  setFilter(filter: LogFilter | null): { matched: number; tookMs: number; cpuMs: number } {
    this.drain(true);
    const gc = new PerformanceObserver(() => undefined);
    gc.observe({ entryTypes: ['gc'] });
    const started = performance.now();
    const cpu = process.cpuUsage();
    const thread = mainThreadSchedule();
    this.tailSentTo = -1;
    this.matches = new SeqList();
    if (!filter) {
      this.filter = undefined;
      this.lastFilterMs = undefined;
    } else {
      const compiled = new CompiledFilter(filter);
      const matches = new SeqList();
      const runs = runLinesOf(this.ring, this.ring.firstSeq, this.ring.nextSeq);
      if (this.deps.filterThread) this.deps.filterThread.scan(compiled, runs, (seq) => matches.push(seq));
      else compiled.scanRuns(runs, (seq) => matches.push(seq));
      this.lastFilterThreads = this.deps.filterThread?.lastPassThreads ?? 1;
      this.filter = compiled;
      this.matches = matches;
      this.lastFilterMs = performance.now() - started;
    }
    const tookMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    this.logFilterPass(gc, filter, started, tookMs, (used.user + used.system) / 1000, thread);
    this.statsDirty = true;
    this.report();
    return { matched: this.matches.size, tookMs, cpuMs: (used.user + used.system) / 1000 };
  }

  /** Logs a pass with the GC time inside it (entries arrive after the pass): where a slow pass's time went. */
  private logFilterPass(gc: PerformanceObserver, filter: LogFilter | null, started: number, tookMs: number, cpuMs: number, thread: ThreadSchedule | undefined): void {
    const threadAfter = mainThreadSchedule();
    if (!filter) {
      gc.disconnect();
      return;
    }
    const ended = started + tookMs;
    const timer = setTimeout(() => {
      const inside = gc.takeRecords().filter((e) => e.startTime < ended && e.startTime + e.duration > started);
      gc.disconnect();
      this.deps.logger.info('logs.filter', {
        view: this.id,
        lines: this.ring.size,
        matched: this.matches.size,
        tookMs: Math.round(tookMs),
        cpuMs: Math.round(cpuMs),
        gcMs: Math.round(inside.reduce((sum, e) => sum + e.duration, 0)),
        gcs: inside.length,
        threads: this.lastFilterThreads,
        ...(thread && threadAfter
          ? { mainThreadCpuMs: Math.round(threadAfter.runMs - thread.runMs), mainThreadWaitMs: Math.round(threadAfter.waitMs - thread.waitMs) }
          : {}),
      });
    }, 50);
    this.register(toDisposable(() => clearTimeout(timer)));
  }

  stats(): LogStats {
    const now = Date.now();
    this.rateWindow = this.rateWindow.filter(([at]) => now - at <= 1000);
    const rate = this.rateWindow.reduce((sum, [, n]) => sum + n, 0);
    return {
      nextSeq: this.ring.nextSeq,
      firstSeq: this.ring.firstSeq,
      dropped: this.ring.dropped,
      maxLines: this.ring.maxLines,
      bytes: this.ring.bytes,
      rate,
      ...(this.filter
        ? { matched: this.matches.size, firstMatch: this.matches.firstOrdinal, nextMatch: this.matches.nextOrdinal, ...(this.lastFilterMs !== undefined ? { filterMs: this.lastFilterMs } : {}) }
        : {}),
    };
  }

  sources(): LogSourceInfo[] {
    return this.sourceList.map((f) => ({ ...f.info }));
  }

  /** Lines by position (seqs, or match ordinals when `filtered`). */
  window(from: number, count: number, filtered: boolean): { lines: LogWindowLine[]; from: number } {
    this.drain(false);
    const seqs: number[] = [];
    if (filtered && this.filter) {
      const start = Math.max(from, this.matches.firstOrdinal);
      for (let o = start; o < start + count; o++) {
        const seq = this.matches.at(o);
        if (seq === undefined) break;
        if (this.ring.has(seq)) seqs.push(seq);
      }
      return { lines: seqs.map((seq) => this.lineAt(seq)), from: start };
    }
    const start = Math.max(from, this.ring.firstSeq);
    for (let seq = start; seq < Math.min(this.ring.nextSeq, start + count); seq++) seqs.push(seq);
    return { lines: seqs.map((seq) => this.lineAt(seq)), from: start };
  }

  /** The next / previous match from `fromSeq` (exclusive). */
  seek(fromSeq: number, direction: 'next' | 'previous'): number | null {
    if (!this.filter) return null;
    if (direction === 'next') {
      const ordinal = this.matches.ordinalAtOrAfter(fromSeq + 1);
      return this.matches.at(ordinal) ?? null;
    }
    const ordinal = this.matches.ordinalAtOrAfter(fromSeq) - 1;
    return this.matches.at(ordinal) ?? null;
  }

  /** The seqs shown: matches when filtered (and a filter is set), else every held line; optionally from a time. */
  *shownSeqs(filtered: boolean, fromTime?: number, range?: { fromSeq: number; toSeq: number }): Generator<number> {
    let from = this.ring.firstSeq;
    let to = this.ring.nextSeq;
    if (range) {
      from = Math.max(from, range.fromSeq);
      to = Math.min(to, range.toSeq + 1);
    }
    if (fromTime !== undefined) from = Math.max(from, this.ring.seqAtTime(fromTime));
    if (filtered && this.filter) {
      for (let o = this.matches.ordinalAtOrAfter(from); o < this.matches.nextOrdinal; o++) {
        const seq = this.matches.at(o)!;
        if (seq >= to) break;
        if (this.ring.has(seq)) yield seq;
      }
      return;
    }
    for (let seq = from; seq < to; seq++) yield seq;
  }

  /** One line as text (credentials masked) with its pod/container prefix when the view merges several. */
  lineText(seq: number, timestamps: boolean): string {
    const text = maskSecrets(Buffer.from(this.ring.bytesOf(seq)).toString('utf8'));
    const time = this.ring.timeAt(seq);
    const stamp = timestamps && !Number.isNaN(time) ? `${new Date(time).toISOString()} ` : '';
    const source = this.sourceList[this.ring.sourceAt(seq)];
    const prefix = this.merged && source ? `${source.pod}/${source.container} ` : '';
    return `${stamp}${prefix}${text}`;
  }

  /** More than one source can write to this view. */
  get merged(): boolean {
    return this.deps.source.kind !== 'pod' || this.sourceList.length > 1;
  }

  private lineAt(seq: number): LogWindowLine {
    const bytes = this.ring.bytesOf(seq);
    const text = maskSecrets(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    const time = this.ring.timeAt(seq);
    const marks = this.filter ? this.filter.marks(text) : undefined;
    return { seq, source: this.ring.sourceAt(seq), time: Number.isNaN(time) ? null : time, text, ...(marks && marks.length ? { marks } : {}) };
  }

  /**
   * The subscriber follows the newest `lines` positions (matches when `filtered` and a filter is
   * set): each report then carries them. 0 stops it. Answers whether it follows now.
   */
  followTail(lines: number, filtered: boolean): boolean {
    this.following = lines > 0 ? { lines, filtered } : undefined;
    this.tailSentTo = -1;
    this.statsDirty = true;
    return this.following !== undefined;
  }

  /** Sends what changed; answers whether the followed tail moved by more than the screen it fills (a flood). */
  private report(): boolean {
    if (this.isDisposed) return false;
    let flooding = false;
    if (this.merger.size > 0) this.drain(false);
    if (this.statsDirty) {
      this.statsDirty = false;
      this.didReport.fire({ type: 'stats', stats: this.stats() });
    }
    if (this.following) {
      const filtered = this.following.filtered && this.filter !== undefined;
      const end = filtered ? this.matches.nextOrdinal : this.ring.nextSeq;
      if (end !== this.tailSentTo) {
        flooding = this.tailSentTo >= 0 && end - this.tailSentTo > this.following.lines;
        this.tailSentTo = end;
        const { lines, from } = this.window(Math.max(0, end - this.following.lines), this.following.lines, filtered);
        this.didReport.fire({ type: 'tail', from, filtered, lines });
      }
    }
    if (this.sourcesDirty) {
      this.sourcesDirty = false;
      this.didReport.fire({ type: 'sources', sources: this.sources() });
    }
    return flooding;
  }

  private get isDisposed(): boolean {
    return this.store.isDisposed;
  }

  private scope(resource: string) {
    return { context: this.context, namespace: this.namespace, resource };
  }

  private async getPod(name: string): Promise<PodSummary> {
    try {
      const pod = await this.deps.client.getJson<RawPod>(`/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods/${encodeURIComponent(name)}`, this.scope('pods'));
      return summarise(pod);
    } catch (error) {
      if (error instanceof CockpitFailure && error.code === 'NotFound') {
        throw new CockpitFailure('NotFound', `pod "${name}" not found in namespace ${this.namespace} of ${this.context}`, undefined, this.scope('pods'));
      }
      throw error;
    }
  }

  private async workloadSelector(kind: string, name: string): Promise<LabelSelectorObject> {
    const path = WORKLOAD_PATHS[kind]!.replace('{ns}', encodeURIComponent(this.namespace)).replace('{name}', encodeURIComponent(name));
    let object: { spec?: { selector?: LabelSelectorObject } };
    try {
      object = await this.deps.client.getJson(path, this.scope(`${kind}s`));
    } catch (error) {
      if (error instanceof CockpitFailure && error.code === 'NotFound') {
        throw new CockpitFailure('NotFound', `${kind} "${name}" not found in namespace ${this.namespace} of ${this.context}`, undefined, this.scope(`${kind}s`));
      }
      throw error;
    }
    const selector = object.spec?.selector;
    if (!selector || requirementsOf(selector).length === 0) throw new CockpitFailure('Invalid', `${kind} "${name}" has no pod selector`, undefined, this.scope(`${kind}s`));
    return selector;
  }

  private applyPods(pods: PodSummary[]): void {
    const present = new Set<string>();
    const wanted = this.deps.source.container;
    const follow = this.deps.options.follow !== false && !this.deps.options.previous;
    for (const pod of pods) {
      const containers = wanted ? pod.containers.filter((c) => c === wanted) : pod.containers;
      for (const container of containers) {
        const key = `${pod.name}/${container}`;
        present.add(key);
        let follower = this.followers.get(key);
        if (!follower) {
          // A non-following view reads the pods it found first; later pods are not news to it.
          if (!follow && this.reportTimer) continue;
          if (this.deps.options.previous && (pod.restarts.get(container) ?? 0) === 0) continue;
          follower = new ContainerFollower(this, this.sourceList.length, pod.name, container);
          this.followers.set(key, follower);
          this.sourceList.push(follower);
          this.merger.open(follower.info.id);
          if (this.paused) follower.pause();
          this.sourcesChanged();
        }
        if (follower.info.state === 'gone') continue;
        if (pod.terminating && follower.info.message !== 'terminating') {
          follower.info.message = 'terminating';
          this.sourcesChanged();
        }
        if (pod.started.has(container) || this.deps.options.previous || pod.phase === 'Running') follower.start();
      }
    }
    for (const [key, follower] of this.followers) {
      if (!present.has(key) && follower.info.state !== 'gone' && (follow || follower.info.state !== 'ended')) {
        follower.markGone();
        this.merger.close(follower.info.id);
        this.scheduleDrain();
      }
    }
  }
}

interface ThreadSchedule {
  runMs: number;
  waitMs: number;
}

/**
 * The main thread's time on a CPU and waiting for one (Linux `schedstat`, nanoseconds): tells a
 * slow pass's own work from the time the thread waited for a core, which `process.cpuUsage`
 * (every thread of the process) does not. Undefined where /proc has no such file.
 */
function mainThreadSchedule(): ThreadSchedule | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return run !== undefined && wait !== undefined ? { runMs: run / 1e6, waitMs: wait / 1e6 } : undefined;
  } catch {
    return undefined;
  }
}

interface RawPod {
  metadata?: { name?: string; deletionTimestamp?: string };
  spec?: { containers?: Array<{ name: string }> };
  status?: { phase?: string; containerStatuses?: Array<{ name: string; restartCount?: number; state?: { running?: unknown; terminated?: unknown }; lastState?: { terminated?: unknown } }> };
}

function summarise(pod: RawPod): PodSummary {
  const started = new Set<string>();
  const restarts = new Map<string, number>();
  for (const s of pod.status?.containerStatuses ?? []) {
    if (s.state?.running || s.state?.terminated || s.lastState?.terminated) started.add(s.name);
    restarts.set(s.name, s.restartCount ?? 0);
  }
  return {
    name: pod.metadata?.name ?? '',
    containers: (pod.spec?.containers ?? []).map((c) => c.name),
    started,
    restarts,
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    phase: pod.status?.phase ?? 'Unknown',
  };
}
