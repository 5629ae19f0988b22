/**
 * Lifetimes, after VS Code's `lifecycle.ts`: everything that holds a resource (a watch, a stream,
 * a socket, a child process, a timer, a listener) is an `IDisposable`, registered in the
 * `DisposableStore` of whoever owns it, and released with it. A leak tracker (installed by tests)
 * sees every disposable created and every one disposed, so a suite can fail on what it left.
 */

export interface IDisposable {
  dispose(): void;
}

/** Notified of every tracked disposable's creation and disposal (tests install one). */
export interface DisposableTracker {
  created(disposable: IDisposable): void;
  disposed(disposable: IDisposable): void;
}

let tracker: DisposableTracker | undefined;

/** Installs (or, with undefined, removes) the leak tracker; returns the previous one. */
export function setDisposableTracker(next: DisposableTracker | undefined): DisposableTracker | undefined {
  const previous = tracker;
  tracker = next;
  return previous;
}

class FunctionDisposable implements IDisposable {
  private done = false;
  constructor(private readonly release: () => void) {
    tracker?.created(this);
  }
  dispose(): void {
    if (this.done) return;
    this.done = true;
    tracker?.disposed(this);
    this.release();
  }
}

/** Wraps a release function; calling `dispose` more than once releases once. */
export function toDisposable(release: () => void): IDisposable {
  return new FunctionDisposable(release);
}

/** Disposes each of `items`; every one is tried even when an earlier one throws. */
export function disposeAll(items: Iterable<IDisposable>): void {
  const errors: unknown[] = [];
  for (const item of items) {
    try {
      item.dispose();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'several disposables failed to dispose');
}

/**
 * Owns a set of disposables and releases them all at once. Adding to a store that is already
 * disposed disposes the newcomer at once (and is reported: it is almost always a bug).
 */
export class DisposableStore implements IDisposable {
  private readonly items = new Set<IDisposable>();
  private disposed = false;

  constructor() {
    tracker?.created(this);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  get size(): number {
    return this.items.size;
  }

  add<T extends IDisposable>(item: T): T {
    if (this.disposed) {
      item.dispose();
      console.warn('a disposable was added to a store that is already disposed; it was disposed at once');
      return item;
    }
    this.items.add(item);
    return item;
  }

  /** Registers a release function; returns its disposable (dispose it early to release early). */
  addFn(release: () => void): IDisposable {
    const item = toDisposable(() => {
      this.items.delete(item);
      release();
    });
    return this.add(item);
  }

  /** Disposes `item` now and forgets it. */
  delete(item: IDisposable): void {
    this.items.delete(item);
    item.dispose();
  }

  /** Forgets `item` without disposing it (its owner changed). */
  release(item: IDisposable): void {
    this.items.delete(item);
  }

  /** Disposes everything held but stays usable. */
  clear(): void {
    const items = [...this.items];
    this.items.clear();
    disposeAll(items.reverse());
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tracker?.disposed(this);
    this.clear();
  }
}

/** A long-lived object that owns disposables for its whole life. */
export abstract class Disposable implements IDisposable {
  protected readonly store = new DisposableStore();

  protected register<T extends IDisposable>(item: T): T {
    return this.store.add(item);
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** Subscribing to an event returns the disposable that unsubscribes. */
export type Event<T> = (listener: (value: T) => void) => IDisposable;

/**
 * An event source (VS Code's `Emitter`): `event` is handed out to listeners, `fire` notifies
 * them in order. A listener that throws is reported and does not stop the others.
 */
export class Emitter<T> implements IDisposable {
  private readonly listeners = new Set<(value: T) => void>();
  private disposed = false;

  constructor(private readonly onListenerError: (error: unknown) => void = (error) => console.error('event listener failed', error)) {}

  readonly event: Event<T> = (listener) => {
    if (this.disposed) return toDisposable(() => undefined);
    // Each subscription gets its own wrapper, so the same function may listen twice.
    const wrapped = (value: T) => listener(value);
    this.listeners.add(wrapped);
    return toDisposable(() => this.listeners.delete(wrapped));
  };

  get listenerCount(): number {
    return this.listeners.size;
  }

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}
