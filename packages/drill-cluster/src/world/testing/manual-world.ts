/**
 * Test support: a seeded world over a `MemoryObjectStore` on a hand-driven clock, and a way to
 * move simulated time until the cluster reaches a state.
 */
import { MemoryObjectStore } from '../../store';
import { ManualDrillClock } from '../clock';
import { SimulatedWorld } from '../drill-world';

export interface ManualWorld {
  store: MemoryObjectStore;
  clock: ManualDrillClock;
  world: SimulatedWorld;
}

/** Starts a seeded world whose time only moves on `clock.advance`. Stop it with `world.stop()`. */
export async function startManualWorld(options: { logLinesPerSecond?: number; start?: number } = {}): Promise<ManualWorld> {
  const store = new MemoryObjectStore();
  const clock = new ManualDrillClock(options.start);
  store.useClock(() => clock.now());
  const world = new SimulatedWorld(store, clock, { ...(options.logLinesPerSecond ? { logLinesPerSecond: options.logLinesPerSecond } : {}) });
  await world.start();
  await clock.advance(1_000);
  return { store, clock, world };
}

/**
 * Advances simulated time in `stepMs` steps until `predicate` holds; throws (with `what`) when
 * `limitMs` of simulated time pass first. Answers the simulated ms it took.
 */
export async function advanceUntil(
  clock: ManualDrillClock,
  predicate: () => boolean,
  what: string,
  limitMs = 15 * 60_000,
  stepMs = 1_000,
): Promise<number> {
  let waited = 0;
  while (!predicate()) {
    if (waited >= limitMs) throw new Error(`still waiting after ${limitMs / 1000}s of simulated time: ${what}`);
    await clock.advance(stepMs);
    waited += stepMs;
  }
  return waited;
}
