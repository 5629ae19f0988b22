/**
 * A second thread for filter passes over a full ring. A pass over a million lines is one
 * synchronous scan on main (`LogView.setFilter`); with a worker beside it the two claim the
 * ring's runs one at a time, so on two cores the pass takes little more than half as long.
 * The worker reads the ring's own bytes and line starts (SharedArrayBuffers, `LineRing` with
 * `shared`), so nothing is copied; main blocks on `Atomics.wait` for the worker's last runs, as
 * the whole pass blocked it before, and no line can be appended meanwhile. A worker that is not
 * up yet, fails or is late leaves its runs to main: a pass always gives what one thread would.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LogFilter } from '../../shared/contract/logs';
import { Disposable, toDisposable, type IDisposable } from '../../shared/lifetimes';
import type { Logger } from '../app/logger';
import { warmUpSteps, type CompiledFilter, type RunLines } from './log-filter';

/**
 * A run's state in `PassRequest.status`: the worker marks the runs it claims and wakes main on
 * each one it finishes (or fails, and then it stops).
 */
export const RUN_CLAIMED = 1;
export const RUN_DONE = 2;
export const RUN_FAILED = 3;

/**
 * One pass as both threads share it. Runs are claimed one at a time from `next`
 * (`Atomics.add`), so a thread that starts late or runs slower simply takes fewer: the pass
 * ends when the runs do, whatever each thread's speed.
 */
export interface PassRequest {
  filter: LogFilter;
  runs: Array<Omit<RunLines, 'buffer' | 'text'> & { data: Uint8Array }>;
  /** `[0]`: the next run to claim. */
  next: Int32Array;
  /** Per run: 0, or the worker's `RUN_*`. */
  status: Int32Array;
  /** Per run the worker scanned: how many matches it wrote. */
  found: Int32Array;
  /** Run `r`'s matches from `lineBase(r)` (the lines of the runs before it), as line indexes in the run. */
  result: Int32Array;
}

/** Where run `r`'s matches start in `PassRequest.result`. */
export function lineBases(runs: ReadonlyArray<{ count: number }>): Int32Array {
  const bases = new Int32Array(runs.length);
  for (let r = 1; r < runs.length; r++) bases[r] = bases[r - 1]! + runs[r - 1]!.count;
  return bases;
}

/** Below this many bytes a pass is short enough on one thread (posting and waking cost more). */
const MIN_PARALLEL_BYTES = 8 * 1024 * 1024;
/** This thread's warm-up waits for the view's start (its first requests) to be done. */
const WARM_UP_DELAY_MS = 500;
const WARM_UP_STEP_GAP_MS = 50;
/** How long main waits for the worker's runs after its own are done, before scanning them itself. */
const WAIT_MS = 5_000;

/**
 * The worker: beside the bundle in a build (`out/main/filter-worker.js`); from the TypeScript
 * source under tsx and vitest, through tsx's require hook (on Node 20 a worker's `--import tsx`
 * does not reach ESM imports). Undefined when neither is there: passes stay on main.
 */
function startWorker(): Worker | undefined {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    const file = fileURLToPath(new URL('./filter-worker.js', here));
    return existsSync(file) ? new Worker(file) : undefined;
  }
  const file = fileURLToPath(new URL('./filter-worker.ts', here));
  const tsx = createRequire(here).resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).require(${JSON.stringify(file)}, ${JSON.stringify(file)})`, { eval: true });
}

export class FilterThread extends Disposable {
  /** The running worker and its release (terminate), while there is one. */
  private worker: { thread: Worker; lease: IDisposable } | undefined;
  private isReady = false;
  /** This thread's warm-up, shortly after the first view opens: once per service. */
  private warmedHere = false;
  /** Threads the last pass ran on (1 or 2): the pass's log line says, and tests check it. */
  lastPassThreads = 1;

  constructor(private readonly logger: Pick<Logger, 'warn'>) {
    super();
  }

  /** Whether the worker is up and warmed: passes share their runs with it from then on. */
  get ready(): boolean {
    return this.isReady;
  }

  /** Starts the worker and this thread's warm-up (when a view opens), so the first pass finds both done. */
  warm(): void {
    if (this.store.isDisposed) return;
    if (!this.warmedHere) {
      this.warmedHere = true;
      this.warmHere(warmUpSteps(), WARM_UP_DELAY_MS);
    }
    if (this.worker) return;
    const thread = startWorker();
    if (!thread) return;
    thread.unref();
    const lease = this.register(toDisposable(() => void thread.terminate()));
    const running = { thread, lease };
    thread.on('message', (message: unknown) => {
      if (message === 'ready' && this.worker === running) this.isReady = true;
    });
    thread.on('error', (error) => {
      this.logger.warn('logs.filterThread', { error: error.message });
      this.drop(running);
    });
    thread.on('exit', () => this.drop(running));
    this.worker = running;
  }

  /** One warm-up step per timer turn, so ingest and reports go on between them. */
  private warmHere(steps: Array<() => void>, delay: number): void {
    const step = steps.shift();
    if (!step) return;
    const timer = setTimeout(() => {
      this.store.delete(pending);
      step();
      this.warmHere(steps, WARM_UP_STEP_GAP_MS);
    }, delay);
    timer.unref();
    const pending = this.register(toDisposable(() => clearTimeout(timer)));
  }

  /** `compiled.scanRuns` over `runs`, matches in order, the runs shared out between this thread and the worker. */
  scan(compiled: CompiledFilter, runs: readonly RunLines[], onMatch: (seq: number) => void): void {
    this.lastPassThreads = 1;
    const worker = this.worker?.thread;
    let total = 0;
    for (const run of runs) total += run.buffer.length;
    const shared = runs.every((run) => run.buffer.buffer instanceof SharedArrayBuffer);
    if (!worker || !this.isReady || !shared || total < MIN_PARALLEL_BYTES || runs.length < 2) {
      compiled.scanRuns(runs, onMatch);
      return;
    }
    const n = runs.length;
    const bases = lineBases(runs);
    const request: PassRequest = {
      filter: compiled.filter,
      runs: runs.map((run) => ({ firstSeq: run.firstSeq, count: run.count, starts: run.starts, runStart: run.runStart, data: run.buffer })),
      next: new Int32Array(new SharedArrayBuffer(4)),
      status: new Int32Array(new SharedArrayBuffer(n * 4)),
      found: new Int32Array(new SharedArrayBuffer(n * 4)),
      result: new Int32Array(new SharedArrayBuffer(Math.max(1, bases[n - 1]! + runs[n - 1]!.count) * 4)),
    };
    const { next, status, found, result } = request;
    worker.postMessage(request);
    const mine: Array<number[] | undefined> = new Array(n);
    for (let r = Atomics.add(next, 0, 1); r < n; r = Atomics.add(next, 0, 1)) {
      const matches: number[] = [];
      compiled.scanRuns([runs[r]!], (seq) => matches.push(seq));
      mine[r] = matches;
    }
    const deadline = performance.now() + WAIT_MS;
    let late: string | undefined;
    for (let r = 0; r < n; r++) {
      const own = mine[r];
      if (own) {
        for (const seq of own) onMatch(seq);
        continue;
      }
      // The worker claimed this run: wait for it, unless it failed or is late (then it is scanned here).
      let state = Atomics.load(status, r);
      while (!late && state !== RUN_DONE && state !== RUN_FAILED) {
        const left = deadline - performance.now();
        if (left <= 0 || Atomics.wait(status, r, state, left) === 'timed-out') late = `no answer from the filter thread in ${WAIT_MS} ms`;
        state = Atomics.load(status, r);
      }
      if (state === RUN_DONE) {
        const { firstSeq } = runs[r]!;
        const base = bases[r]!;
        const count = Atomics.load(found, r);
        for (let i = 0; i < count; i++) onMatch(firstSeq + result[base + i]!);
        this.lastPassThreads = 2;
        continue;
      }
      late ??= 'the pass failed on the filter thread';
      compiled.scanRuns([runs[r]!], onMatch);
    }
    if (late) {
      this.logger.warn('logs.filterThread', { error: late, fallback: 'main thread' });
      this.restart();
    }
  }

  override dispose(): void {
    this.drop(this.worker);
    super.dispose();
  }

  /** A late worker is ended and a new one started for the next pass. */
  private restart(): void {
    this.drop(this.worker);
    this.warm();
  }

  private drop(running: { thread: Worker; lease: IDisposable } | undefined): void {
    if (!running || this.worker !== running) return;
    this.worker = undefined;
    this.isReady = false;
    this.store.delete(running.lease);
  }
}
