/**
 * A page's main-thread CPU profile and its time by kind over a stretch of a bench, through any
 * DevTools session (Playwright's CDPSession or the bench's own pipe, `cdp-browser.ts`).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

export type DevToolsSend = (method: string, params?: object) => Promise<unknown>;

const KINDS = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'];

/**
 * Starts profiling; the function it answers stops, prints the page's time by kind over `what`
 * to stderr and writes `<dir>/<name>-<time>.cpuprofile`.
 */
export async function startPageProfile(send: DevToolsSend, dir: string, name: string): Promise<(what: string) => Promise<void>> {
  const metrics = async () => Object.fromEntries(((await send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> }).metrics.map((m) => [m.name, m.value]));
  await send('Performance.enable');
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  await send('Profiler.start');
  const before = await metrics();
  return async (what) => {
    const after = await metrics();
    console.error(`page over ${what}: ${KINDS.map((k) => `${k} ${Math.round(((after[k] ?? 0) - (before[k] ?? 0)) * 1000)} ms`).join(', ')}`);
    const { profile } = (await send('Profiler.stop')) as { profile: unknown };
    await writeFile(path.join(dir, `${name}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
    await send('Profiler.disable');
  };
}
