/**
 * Merges the lines of several sources (pods × containers) into one stream in stamp order, as
 * far as arrival allows: each source's own order is kept as the server sent it; across sources
 * a line waits at most `holdMs` for an earlier line from a source that has nothing queued yet.
 * A source that lags by more than that (or a line without a stamp) is placed by arrival.
 */
import { compareStamps, type Stamp } from './stamps';

export interface MergeLine {
  source: number;
  stamp: Stamp | undefined;
  /** Arrival time (ms, caller's clock). */
  arrived: number;
  bytes: Uint8Array;
  start: number;
  end: number;
}

interface Queue {
  lines: MergeLine[];
  head: number;
  open: boolean;
}

export class LineMerger {
  private readonly queues = new Map<number, Queue>();
  private queued = 0;

  constructor(private readonly holdMs = 30) {}

  /** Lines waiting. */
  get size(): number {
    return this.queued;
  }

  /** A source that is streaming: the merge waits (up to `holdMs`) for it. */
  open(source: number): void {
    const queue = this.queues.get(source);
    if (queue) queue.open = true;
    else this.queues.set(source, { lines: [], head: 0, open: true });
  }

  /** A source whose stream ended: nothing is waited for from it. */
  close(source: number): void {
    const queue = this.queues.get(source);
    if (queue) queue.open = false;
  }

  push(line: MergeLine): void {
    let queue = this.queues.get(line.source);
    if (!queue) {
      queue = { lines: [], head: 0, open: true };
      this.queues.set(line.source, queue);
    }
    queue.lines.push(line);
    this.queued++;
  }

  /**
   * Hands out, in order, every line that may go now (`force`: everything queued). A line goes
   * when it is the earliest head, unless an open source with nothing queued might still send an
   * earlier one and the line arrived less than `holdMs` ago.
   */
  drain(now: number, emit: (line: MergeLine) => void, force = false): void {
    const queues = [...this.queues.values()];
    if (queues.length === 1) {
      const only = queues[0]!;
      for (let i = only.head; i < only.lines.length; i++) emit(only.lines[i]!);
      this.queued = 0;
      only.lines = [];
      only.head = 0;
      return;
    }
    while (this.queued > 0) {
      let best: Queue | undefined;
      let waiting = false;
      for (const queue of queues) {
        if (queue.head >= queue.lines.length) {
          if (queue.open) waiting = true;
          continue;
        }
        if (!best) {
          best = queue;
          continue;
        }
        const a = queue.lines[queue.head]!;
        const b = best.lines[best.head]!;
        if (a.stamp && b.stamp ? compareStamps(a.stamp, b.stamp) < 0 : a.arrived < b.arrived) best = queue;
      }
      if (!best) break;
      const line = best.lines[best.head]!;
      if (waiting && !force && now - line.arrived < this.holdMs) break;
      best.head++;
      this.queued--;
      emit(line);
      if (best.head === best.lines.length) {
        best.lines = [];
        best.head = 0;
      }
    }
  }

  /** Forgets a source (its lines still queued are dropped: call `drain(…, true)` first). */
  remove(source: number): void {
    const queue = this.queues.get(source);
    if (queue) this.queued -= queue.lines.length - queue.head;
    this.queues.delete(source);
  }
}
