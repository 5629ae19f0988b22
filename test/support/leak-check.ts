/**
 * VS Code's `ensureNoDisposablesAreLeakedInTestSuite`: every disposable a test creates (through
 * `toDisposable`, `DisposableStore`, or anything built on them) must be disposed by the time the
 * test ends, or the test fails naming where the leaked ones were created.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { setDisposableTracker, type IDisposable } from '../../src/shared/lifetimes';

export function ensureNoDisposablesAreLeakedInTestSuite(): { live(): number } {
  const live = new Map<IDisposable, string>();
  let previous: ReturnType<typeof setDisposableTracker>;
  beforeEach(() => {
    live.clear();
    previous = setDisposableTracker({
      created: (d) => live.set(d, new Error('created here').stack?.split('\n').slice(2, 6).join('\n') ?? ''),
      disposed: (d) => live.delete(d),
    });
  });
  afterEach(() => {
    setDisposableTracker(previous);
    const leaks = [...live.values()];
    live.clear();
    expect(leaks, `${leaks.length} disposable(s) leaked:\n${leaks.join('\n---\n')}`).toEqual([]);
  });
  return { live: () => live.size };
}
