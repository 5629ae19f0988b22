/**
 * The drill cluster's state across restarts: one JSON file (`<data>/drill/state.json`, 0600)
 * with every object as served (names, uids, resourceVersions, rollout history), the simulated
 * clock and the scenarios. Written a moment after changes settle and on stop, atomically
 * (temp file + rename); read at start. An unreadable file is moved aside and named, never fatal.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isScenarioName } from './protocol';
import type { MemoryObjectStore } from './store';
import type { KubeObject, ResourceKey } from './types';
import type { SavedScenarios, SimulatedWorld } from './world/drill-world';

export const STATE_FORMAT = 'incident-cockpit/drill-state@1';
const SAVE_AFTER_MS = 5_000;

export interface SavedCluster {
  format: typeof STATE_FORMAT;
  /** Real time of the save (epoch ms). */
  savedAt: number;
  /** Simulated time of the save. */
  clock: number;
  resourceVersion: number;
  objects: Record<ResourceKey, readonly KubeObject[]>;
  scenarios: SavedScenarios;
}

/** The saved state, none (no file: a fresh cluster), or why the file could not be used (it is moved aside). */
export async function readClusterState(file: string): Promise<{ state?: SavedCluster; problem?: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { problem: `cannot read ${file}: ${(error as Error).message}` };
  }
  try {
    const state = JSON.parse(text) as SavedCluster;
    if (state.format !== STATE_FORMAT) throw new Error(`format is ${JSON.stringify(state.format)}, expected ${STATE_FORMAT}`);
    if (typeof state.resourceVersion !== 'number' || typeof state.clock !== 'number' || typeof state.objects !== 'object' || !state.objects) {
      throw new Error('resourceVersion, clock or objects missing');
    }
    const scenarios = state.scenarios ?? { active: [], endings: [], knownGoodImages: [] };
    for (const entry of [...scenarios.active, ...scenarios.endings]) {
      if (!isScenarioName(entry.name)) throw new Error(`unknown scenario ${JSON.stringify(entry.name)}`);
    }
    return { state: { ...state, scenarios } };
  } catch (error) {
    const aside = `${file}.unreadable-${Date.now()}`;
    await rename(file, aside).catch(() => undefined);
    return { problem: `${file} is unreadable (${(error as Error).message}); it was moved to ${aside} and the cluster seeded fresh` };
  }
}

export async function removeClusterState(file: string): Promise<void> {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Saves the cluster five seconds after it changes (at once for scenario changes; one write in flight) and on `close()`. */
export class ClusterStateWriter {
  private timer: NodeJS.Timeout | undefined;
  private timerDelay = SAVE_AFTER_MS;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private closed = false;
  private readonly unsubscribes: Array<() => void> = [];
  /** The last write's error, if it failed (kept for status; the next change retries). */
  lastError: string | undefined;

  constructor(
    private readonly file: string,
    private readonly store: MemoryObjectStore,
    private readonly world: SimulatedWorld,
  ) {
    this.unsubscribes.push(store.subscribeChanges(() => this.changed()));
    // Scenario changes are rare and what a restart must not lose: saved at once.
    const off = world.scenarios.onDidChange?.(() => this.changed(0));
    if (off) this.unsubscribes.push(off);
  }

  /** Writes now (after any write in flight). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    this.dirty = false;
    this.writing = this.write().finally(() => (this.writing = undefined));
    await this.writing;
  }

  /** Stops following changes and writes the final state. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.unsubscribes) off();
    await this.flush();
  }

  private changed(afterMs = SAVE_AFTER_MS): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.timer && afterMs >= this.timerDelay) return;
    clearTimeout(this.timer);
    this.timerDelay = afterMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.dirty) void this.flush().catch(() => undefined);
    }, afterMs);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    const state: SavedCluster = {
      format: STATE_FORMAT,
      savedAt: Date.now(),
      clock: this.world.clock.now(),
      resourceVersion: this.store.resourceVersion,
      objects: Object.fromEntries(this.store.resourceKeys().map((key) => [key, this.store.snapshot(key)])),
      scenarios: this.world.exportScenarios(),
    };
    const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      await writeFile(temp, JSON.stringify(state), { mode: 0o600 });
      await rename(temp, this.file);
      this.lastError = undefined;
    } catch (error) {
      this.lastError = `cannot save the drill state to ${this.file}: ${(error as Error).message}`;
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }
}
