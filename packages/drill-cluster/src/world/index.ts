import type { DrillWorld, ObjectStore } from '../types';
import { ScaledDrillClock, type StoppableDrillClock } from './clock';
import { SimulatedWorld } from './drill-world';

export { ManualDrillClock, ScaledDrillClock } from './clock';
export { BAD_IMAGE, SimulatedWorld } from './drill-world';
export { THRESHOLD_PROMQL, type ThresholdQuery } from './prometheus-exposition';
export { evaluateThresholds, parseExposition, type ExpositionSample, type ThresholdValues } from './threshold-evaluation';

export interface DrillWorldOptions {
  /** Simulated seconds per real second (1 = real time). */
  speed?: number;
  /** Log lines per real second a followed pod writes (default 20). */
  logLinesPerSecond?: number;
  /** Real-time source in epoch ms (default `Date.now`). */
  now?: () => number;
  /** Simulated time to continue from (a restored cluster). */
  startAt?: number;
  /** A clock to use instead (tests pass a `ManualDrillClock`); overrides `speed` and `now`. */
  clock?: StoppableDrillClock;
}

/** The simulated `codesign-production` world over `store`; call `start()` to seed and run it. */
export function createDrillWorld(store: ObjectStore, options: DrillWorldOptions = {}): DrillWorld {
  const clock = options.clock ?? new ScaledDrillClock(options.speed ?? 1, options.now ?? Date.now, options.startAt);
  return new SimulatedWorld(store, clock, { logLinesPerSecond: options.logLinesPerSecond });
}
