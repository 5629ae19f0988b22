import { afterEach, describe, expect, it } from 'vitest';
import { ensureNoDisposablesAreLeakedInTestSuite } from '../../../test/support/leak-check';
import type { LogFilter } from '../../shared/contract/logs';
import { LineRing } from '../../shared/logs/line-ring';
import { FilterThread } from './filter-thread';
import { CompiledFilter, runLinesOf, WARM_UP_FILTERS } from './log-filter';

const warnings: unknown[] = [];
const logger = { warn: (...args: unknown[]) => void warnings.push(args) };
let thread: FilterThread | undefined;

/** A ring past the parallel threshold (8 MiB) that has wrapped: its last run's line starts are a copy, not a view. */
function bigRing(shared: boolean): LineRing {
  const ring = new LineRing({ shared, maxLines: 100_000, blockBytes: 256 * 1024 });
  for (let i = 0; i < 140_000; i++) {
    const status = [200, 200, 404, 500, 502, 503, 201][i % 7];
    const line = Buffer.from(`2026-12-02T10:00:00.${String(i % 1000).padStart(3, '0')}Z ${i % 11 === 0 ? 'ERROR' : 'INFO'} GET /api/v1/items/${i} status=${status} duration=${(i * 37) % 4000}ms ${i % 13 === 0 ? 'Connection reset' : 'ok'} ${'x'.repeat(i % 40)}`);
    ring.append(line, 0, line.length, 0, i);
  }
  return ring;
}

const FILTERS: LogFilter[] = [
  ...WARM_UP_FILTERS.map((w) => w.filter),
  { terms: [{ pattern: 'status=50[23] .*Connection', regex: true, caseSensitive: true, invert: false }], combine: 'any' },
  { terms: [{ pattern: 'ERROR', regex: false, caseSensitive: true, invert: true }], combine: 'any' },
  { terms: [{ pattern: 'no line has this', regex: false, caseSensitive: true, invert: false }], combine: 'any' },
];

function oneThread(ring: LineRing, filter: LogFilter): number[] {
  const seqs: number[] = [];
  new CompiledFilter(filter).scan(ring, ring.firstSeq, ring.nextSeq, (seq) => seqs.push(seq));
  return seqs;
}

function shared(ring: LineRing, filter: LogFilter, on: FilterThread): number[] {
  const seqs: number[] = [];
  on.scan(new CompiledFilter(filter), runLinesOf(ring, ring.firstSeq, ring.nextSeq), (seq) => seqs.push(seq));
  return seqs;
}

async function readyThread(): Promise<FilterThread> {
  const started = new FilterThread(logger);
  thread = started;
  started.warm();
  for (let i = 0; i < 600 && !started.ready; i++) await new Promise((r) => setTimeout(r, 50));
  expect(started.ready).toBe(true);
  return started;
}

describe('FilterThread', () => {
  ensureNoDisposablesAreLeakedInTestSuite();
  // Registered after the leak check, so it runs before it (hooks unwind as a stack).
  afterEach(() => {
    thread?.dispose();
    thread = undefined;
    warnings.length = 0;
  });

  it('shares a full pass with the worker and finds exactly what one thread finds, in order', async () => {
    const ring = bigRing(true);
    expect(ring.dropped).toBe(40_000);
    expect(ring.bytes).toBeGreaterThan(9 * 1024 * 1024);
    const running = await readyThread();
    const threads = new Set<number>();
    for (const filter of FILTERS) {
      const expected = oneThread(ring, filter);
      expect(shared(ring, filter, running)).toEqual(expected);
      threads.add(running.lastPassThreads);
    }
    // Runs go to whichever thread claims them first: on a busy machine the worker may miss a pass, never all.
    expect(threads.has(2)).toBe(true);
    // Something to find, so the comparison above is not of empty lists.
    expect(oneThread(ring, FILTERS[0]!).length).toBeGreaterThan(20_000);
    expect(warnings).toEqual([]);
  });

  it('keeps a pass on this thread when the ring is not in shared memory or the pass is small', async () => {
    const running = await readyThread();
    const plain = bigRing(false);
    expect(shared(plain, FILTERS[0]!, running)).toEqual(oneThread(plain, FILTERS[0]!));
    expect(running.lastPassThreads).toBe(1);
    const small = new LineRing({ shared: true });
    for (const text of ['ERROR one', 'INFO two', 'status=503']) small.append(Buffer.from(text), 0, text.length, 0, 0);
    expect(shared(small, FILTERS[0]!, running)).toEqual([0, 2]);
    expect(running.lastPassThreads).toBe(1);
  });

  it('scans everything on this thread once the worker is gone', async () => {
    const ring = bigRing(true);
    const running = await readyThread();
    running.dispose();
    expect(running.ready).toBe(false);
    expect(shared(ring, FILTERS[0]!, running)).toEqual(oneThread(ring, FILTERS[0]!));
    expect(running.lastPassThreads).toBe(1);
  });
});
