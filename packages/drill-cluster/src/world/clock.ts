/**
 * Simulated time for the drill world: real time by default, `speed` times faster for tests, or
 * advanced by hand (`ManualDrillClock`) where a unit test wants every step to be deterministic.
 */
import type { DrillClock } from '../types';

/** A clock whose timers can all be cancelled at once when the world stops. */
export interface StoppableDrillClock extends DrillClock {
  stop(): void;
}

/** The shortest real interval a repeating timer fires at, however fast the clock runs. */
const MIN_REAL_INTERVAL_MS = 10;

/**
 * Simulated time that starts at the real time and runs `speed` times faster. Timers are unref'd so
 * a forgotten world never holds the process open.
 */
export class ScaledDrillClock implements StoppableDrillClock {
  private readonly realStart: number;
  private readonly cancels = new Set<() => void>();
  private stopped = false;

  private readonly simulatedStart: number;

  /** `startAt`: the simulated time to go on from (a restored cluster), when it is later than now. */
  constructor(
    readonly speed = 1,
    private readonly realNow: () => number = Date.now,
    startAt?: number,
  ) {
    if (!(speed > 0)) throw new RangeError(`clock speed must be positive, got ${speed}`);
    this.realStart = realNow();
    this.simulatedStart = Math.max(this.realStart, startAt ?? this.realStart);
  }

  now(): number {
    return Math.floor(this.simulatedStart + (this.realNow() - this.realStart) * this.speed);
  }

  after(simulatedMs: number, fn: () => void): () => void {
    if (this.stopped) return () => undefined;
    const timer = setTimeout(() => {
      this.cancels.delete(cancel);
      fn();
    }, Math.max(0, simulatedMs / this.speed));
    timer.unref();
    const cancel = (): void => {
      clearTimeout(timer);
      this.cancels.delete(cancel);
    };
    this.cancels.add(cancel);
    return cancel;
  }

  every(simulatedMs: number, fn: () => void): () => void {
    if (this.stopped) return () => undefined;
    const timer = setInterval(fn, Math.max(MIN_REAL_INTERVAL_MS, simulatedMs / this.speed));
    timer.unref();
    const cancel = (): void => {
      clearInterval(timer);
      this.cancels.delete(cancel);
    };
    this.cancels.add(cancel);
    return cancel;
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of [...this.cancels]) cancel();
  }
}

interface ManualTimer {
  due: number;
  seq: number;
  fn: () => void;
  period?: number;
}

/**
 * A clock that only moves when `advance` is called: timers fire in due order, and the event loop
 * gets a turn between them so that store subscribers and queued reconciles run as they would.
 */
export class ManualDrillClock implements StoppableDrillClock {
  readonly speed = 1;
  private current: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(start = Date.UTC(2026, 10, 28, 9, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  after(simulatedMs: number, fn: () => void): () => void {
    const timer: ManualTimer = { due: this.current + Math.max(0, simulatedMs), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => this.remove(timer);
  }

  every(simulatedMs: number, fn: () => void): () => void {
    const period = Math.max(1, simulatedMs);
    const timer: ManualTimer = { due: this.current + period, seq: this.seq++, fn, period };
    this.timers.push(timer);
    return () => this.remove(timer);
  }

  /** Moves time forward by `simulatedMs`, firing every timer that falls due on the way. */
  async advance(simulatedMs: number): Promise<void> {
    const target = this.current + simulatedMs;
    for (;;) {
      const next = this.nextDue();
      if (!next || next.due > target) break;
      this.current = Math.max(this.current, next.due);
      if (next.period !== undefined) {
        next.due += next.period;
      } else {
        this.remove(next);
      }
      next.fn();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.current = target;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  stop(): void {
    this.timers = [];
  }

  private nextDue(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const timer of this.timers) {
      if (!best || timer.due < best.due || (timer.due === best.due && timer.seq < best.seq)) best = timer;
    }
    return best;
  }

  private remove(timer: ManualTimer): void {
    this.timers = this.timers.filter((t) => t !== timer);
  }
}
