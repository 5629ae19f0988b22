import { describe, expect, it } from 'vitest';
import { ensureNoDisposablesAreLeakedInTestSuite } from '../../test/support/leak-check';
import { DisposableStore, Emitter, setDisposableTracker, toDisposable, type IDisposable } from './lifetimes';

describe('DisposableStore', () => {
  ensureNoDisposablesAreLeakedInTestSuite();

  it('disposes everything it holds, newest first, once', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push('a')));
    store.addFn(() => order.push('b'));
    store.dispose();
    store.dispose();
    expect(order).toEqual(['b', 'a']);
    expect(store.isDisposed).toBe(true);
  });

  it('disposes what is added after it was disposed', () => {
    const store = new DisposableStore();
    store.dispose();
    let released = false;
    const warn = console.warn;
    console.warn = () => undefined;
    store.add(toDisposable(() => (released = true)));
    console.warn = warn;
    expect(released).toBe(true);
  });

  it('keeps disposing the others when one throws, then reports it', () => {
    const store = new DisposableStore();
    let second = false;
    store.addFn(() => (second = true));
    store.addFn(() => {
      throw new Error('boom');
    });
    expect(() => store.dispose()).toThrow('boom');
    expect(second).toBe(true);
  });

  it('an early dispose of an addFn entry releases it and forgets it', () => {
    const store = new DisposableStore();
    let n = 0;
    const entry = store.addFn(() => n++);
    entry.dispose();
    expect(store.size).toBe(0);
    store.dispose();
    expect(n).toBe(1);
  });
});

describe('Emitter', () => {
  ensureNoDisposablesAreLeakedInTestSuite();

  it('calls listeners in order; a throwing listener does not stop the others', () => {
    const errors: unknown[] = [];
    const emitter = new Emitter<number>((e) => errors.push(e));
    const seen: string[] = [];
    const a = emitter.event((v) => seen.push(`a${v}`));
    const b = emitter.event(() => {
      throw new Error('x');
    });
    const c = emitter.event((v) => seen.push(`c${v}`));
    emitter.fire(1);
    b.dispose();
    c.dispose();
    emitter.fire(2);
    a.dispose();
    expect(seen).toEqual(['a1', 'c1', 'a2']);
    expect(errors).toHaveLength(1);
    expect(emitter.listenerCount).toBe(0);
  });
});

describe('the leak check', () => {
  it('sees a disposable that was never disposed', () => {
    const live = new Set<IDisposable>();
    const previous = setDisposableTracker({ created: (d) => live.add(d), disposed: (d) => live.delete(d) });
    const kept = toDisposable(() => undefined);
    const released = toDisposable(() => undefined);
    released.dispose();
    setDisposableTracker(previous);
    expect([...live]).toEqual([kept]);
  });
});
