/**
 * Merges the lines of several sources (pods × containers) into one stream in stamp order, as
 * far as arrival allows: each source's own order is kept as the server sent it; across sources
 * a line waits at most `holdMs` for an earlier line from a source that has nothing queued yet.
 * A source that lags by more than that (its stamps behind the others', or a line without a
 * stamp) is placed by arrival: lines that waited `holdMs` go even while it holds its own.
 */
import { stampMillis, type Stamp } from './stamps';

export interface MergeLine {
  source: number;
  stamp: Stamp | undefined;
  /** Arrival time (ms, caller's clock). */
  arrived: number;
  bytes: Uint8Array;
  start: number;
  end: number;
}

/** Receives each line in merged order: its source, where its bytes are, its time (ms; NaN without a stamp). */
export type MergeEmit = (source: number, bytes: Uint8Array, start: number, end: number, time: number) => void;

/**
 * One source's waiting lines as columns (no object per line: at hundreds of thousands of lines a
 * second, objects per line are what the garbage collector spends its time on).
 */
class Queue {
  open = true;
  head = 0;
  tail = 0;
  times = new Float64Array(256);
  arrivals = new Float64Array(256);
  starts = new Int32Array(256);
  ends = new Int32Array(256);
  bytes: Array<Uint8Array | undefined> = [];

  get length(): number {
    return this.tail - this.head;
  }

  push(time: number, arrived: number, bytes: Uint8Array, start: number, end: number): void {
    if (this.tail === this.times.length) this.grow();
    const i = this.tail++;
    this.times[i] = time;
    this.arrivals[i] = arrived;
    this.starts[i] = start;
    this.ends[i] = end;
    this.bytes[i] = bytes;
  }

  /** Drops the head line (its bytes reference with it). */
  shift(): void {
    this.bytes[this.head] = undefined;
    this.head++;
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  private grow(): void {
    const held = this.tail - this.head;
    if (this.head > 0 && held * 2 <= this.times.length) {
      // Room at the front: move the waiting lines down.
      this.times.copyWithin(0, this.head, this.tail);
      this.arrivals.copyWithin(0, this.head, this.tail);
      this.starts.copyWithin(0, this.head, this.tail);
      this.ends.copyWithin(0, this.head, this.tail);
      this.bytes.copyWithin(0, this.head, this.tail);
      this.bytes.length = held;
    } else {
      const size = this.times.length * 2;
      const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T) => {
        const next = make(size);
        next.set(a.subarray(this.head, this.tail) as never);
        return next;
      };
      this.times = grow(this.times, (n) => new Float64Array(n));
      this.arrivals = grow(this.arrivals, (n) => new Float64Array(n));
      this.starts = grow(this.starts, (n) => new Int32Array(n));
      this.ends = grow(this.ends, (n) => new Int32Array(n));
      this.bytes = this.bytes.slice(this.head, this.tail);
    }
    this.head = 0;
    this.tail = held;
  }
}

/** Whether `a`'s head goes before `b`'s: stamped lines by stamp, a line without one by arrival. */
function earlier(a: Queue, b: Queue): boolean {
  const ta = a.times[a.head]!;
  const tb = b.times[b.head]!;
  return !Number.isNaN(ta) && !Number.isNaN(tb) ? ta < tb : a.arrivals[a.head]! < b.arrivals[b.head]!;
}

export class LineMerger {
  private readonly queues = new Map<number, Queue>();
  private list: Queue[] = [];
  /** The source of each queue in `list`. */
  private sourceOf: number[] = [];
  private queued = 0;

  constructor(private readonly holdMs = 30) {}

  /** Lines waiting. */
  get size(): number {
    return this.queued;
  }

  /** A source that is streaming: the merge waits (up to `holdMs`) for it. */
  open(source: number): void {
    this.queue(source).open = true;
  }

  /** A source whose stream ended: nothing is waited for from it. */
  close(source: number): void {
    const queue = this.queues.get(source);
    if (queue) queue.open = false;
  }

  push(line: MergeLine): void {
    this.add(line.source, line.stamp ? stampMillis(line.stamp) : Number.NaN, line.arrived, line.bytes, line.start, line.end);
  }

  /** One line: `time` in ms (NaN without a stamp), `bytes[start, end)` kept by reference until it goes out. */
  add(source: number, time: number, arrived: number, bytes: Uint8Array, start: number, end: number): void {
    this.queue(source).push(time, arrived, bytes, start, end);
    this.queued++;
  }

  /**
   * Hands out, in order, every line that may go now (`force`: everything queued), at most
   * `limit` of them (the caller drains again for the rest, so a backlog never holds up the event
   * loop). A line goes when it is the earliest head, unless an open source with nothing queued
   * might still send an earlier one and the line arrived less than `holdMs` ago.
   */
  drain(now: number, emit: MergeEmit, force = false, limit = Infinity): void {
    const queues = this.list;
    let budget = limit;
    if (queues.length === 1) {
      const only = queues[0]!;
      const source = this.sourceOf[0]!;
      while (only.length > 0 && budget-- > 0) this.emitHead(only, source, emit);
      return;
    }
    while (this.queued > 0 && budget > 0) {
      let best: Queue | undefined;
      let bestIndex = 0;
      let second: Queue | undefined;
      let waiting = false;
      for (let q = 0; q < queues.length; q++) {
        const queue = queues[q]!;
        if (queue.length === 0) {
          if (queue.open) waiting = true;
          continue;
        }
        if (!best) {
          best = queue;
          bestIndex = q;
        } else if (earlier(queue, best)) {
          second = best;
          best = queue;
          bestIndex = q;
        } else if (!second || earlier(queue, second)) {
          second = queue;
        }
      }
      if (!best) break;
      const source = this.sourceOf[bestIndex]!;
      // A run: the best queue's lines go while they stay before every other queue's head.
      do {
        if (waiting && !force && now - best.arrivals[best.head]! < this.holdMs) {
          this.releaseOverdue(now, emit, budget, best);
          return;
        }
        this.emitHead(best, source, emit);
        budget--;
      } while (budget > 0 && best.length > 0 && (!second || !earlier(second, best)));
    }
  }

  /**
   * While `held` (the earliest stamp) waits for a source that may still send an earlier line,
   * the other queues' lines that have waited `holdMs` already go, earliest stamp first: a source
   * whose stamps lag behind (a backlog, a skewed clock) must not hold the rest longer than that.
   */
  private releaseOverdue(now: number, emit: MergeEmit, budget: number, held: Queue): void {
    const queues = this.list;
    while (budget > 0) {
      let best: Queue | undefined;
      let bestIndex = 0;
      for (let q = 0; q < queues.length; q++) {
        const queue = queues[q]!;
        if (queue === held || queue.length === 0 || now - queue.arrivals[queue.head]! < this.holdMs) continue;
        if (!best || earlier(queue, best)) {
          best = queue;
          bestIndex = q;
        }
      }
      if (!best) return;
      const source = this.sourceOf[bestIndex]!;
      // Its lines go while they have waited long enough (one read arrives together).
      do {
        this.emitHead(best, source, emit);
        budget--;
      } while (budget > 0 && best.length > 0 && now - best.arrivals[best.head]! >= this.holdMs);
    }
  }

  /** Hands out `queue`'s head line and drops it from the queue. */
  private emitHead(queue: Queue, source: number, emit: MergeEmit): void {
    const i = queue.head;
    emit(source, queue.bytes[i]!, queue.starts[i]!, queue.ends[i]!, queue.times[i]!);
    queue.shift();
    this.queued--;
  }

  /** Forgets a source (its lines still queued are dropped: call `drain(…, true)` first). */
  remove(source: number): void {
    const queue = this.queues.get(source);
    if (!queue) return;
    this.queued -= queue.length;
    this.queues.delete(source);
    this.rebuild();
  }

  private queue(source: number): Queue {
    let queue = this.queues.get(source);
    if (!queue) {
      queue = new Queue();
      this.queues.set(source, queue);
      this.rebuild();
    }
    return queue;
  }

  private rebuild(): void {
    this.list = [...this.queues.values()];
    this.sourceOf = [...this.queues.keys()];
  }
}
