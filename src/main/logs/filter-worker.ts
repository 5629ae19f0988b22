/**
 * The filter thread's entry: claims runs of the pass main sends it (views into the ring's shared
 * memory) one at a time, scans each with the same `CompiledFilter` main uses, writes its matching
 * lines into the shared result (as line indexes in the run) and wakes main, which waits on the
 * run's `status`. Built as
 * `out/main/filter-worker.js`; run from source under tsx in tests.
 */
import { parentPort } from 'node:worker_threads';
import type { LogFilter } from '../../shared/contract/logs';
import { CompiledFilter, runLines, warmUpFilters } from './log-filter';
import { lineBases, RUN_CLAIMED, RUN_DONE, RUN_FAILED, type PassRequest } from './filter-thread';

let last: { key: string; compiled: CompiledFilter } | undefined;

function compile(filter: LogFilter): CompiledFilter {
  const key = JSON.stringify(filter);
  if (last?.key !== key) last = { key, compiled: new CompiledFilter(filter) };
  return last.compiled;
}

parentPort?.on('message', (pass: PassRequest) => {
  const { next, status, found, result, runs } = pass;
  const bases = lineBases(runs);
  let compiled: CompiledFilter;
  try {
    compiled = compile(pass.filter);
  } catch {
    // Main compiled the same filter, so this does not happen; if it does, main scans every run.
    return;
  }
  for (let r = Atomics.add(next, 0, 1); r < runs.length; r = Atomics.add(next, 0, 1)) {
    Atomics.store(status, r, RUN_CLAIMED);
    const run = runs[r]!;
    const lines = runLines(run.firstSeq, run.count, run.starts, run.runStart, Buffer.from(run.data.buffer, run.data.byteOffset, run.data.byteLength));
    const base = bases[r]!;
    let count = 0;
    try {
      compiled.scanRuns([lines], (seq) => (result[base + count++] = seq - run.firstSeq));
    } catch {
      Atomics.store(status, r, RUN_FAILED);
      Atomics.notify(status, r);
      return;
    }
    Atomics.store(found, r, count);
    Atomics.store(status, r, RUN_DONE);
    Atomics.notify(status, r);
  }
});
// Optimised before the first pass arrives; until it says ready, main scans every run.
warmUpFilters();
parentPort?.postMessage('ready');
