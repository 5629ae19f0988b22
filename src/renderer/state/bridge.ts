import type { CockpitApi, RequestInput, RequestName, RequestOutput, StreamEvent, StreamHandlers, StreamInput, StreamName } from '../../shared/contract';
import { RequestError } from '../cockpit';

export type { StreamHandlers } from '../../shared/contract';

/** Where the renderer keeps its route: the URL hash, so a reload lands on the same view. */
export interface RouteLocation {
  hash(): string;
  setHash(hash: string): void;
  /** Calls `listener` when the user (or history) changes the hash; answers its removal. */
  onHashChange(listener: () => void): () => void;
}

/**
 * Everything store actions need from the outside world: requests, streams and the location.
 * Only store actions hold one, so components cannot reach IPC; tests pass a fake.
 */
export interface Bridge {
  /** Calls the contract and unwraps the result; a failure throws a `RequestError` with its code. */
  call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestOutput<K>>;
  /** Subscribes to a stream; answers the unsubscribe. */
  subscribe<K extends StreamName>(name: K, input: StreamInput<K>, handlers: StreamHandlers<StreamEvent<K>>): () => void;
  readonly location: RouteLocation;
}

/**
 * The one place the renderer subscribes to `window.cockpit`: batches, then one `end` or `error`
 * (a refused subscribe arrives as `error`). Kept as one function so a change to the transport's
 * subscribe is made here, once.
 */
export function subscribeVia<K extends StreamName>(
  api: CockpitApi,
  name: K,
  input: StreamInput<K>,
  handlers: StreamHandlers<StreamEvent<K>>,
): () => void {
  return api.subscribe(name, input, handlers);
}

/** A bridge over a `CockpitApi` (the preload's or the web bridge's) and a location. */
export function bridgeOver(api: () => CockpitApi, location: RouteLocation): Bridge {
  return {
    async call(name, input) {
      const result = await api().invoke(name, input);
      if (!result.ok) throw new RequestError(result.error);
      return result.value;
    },
    subscribe: (name, input, handlers) => subscribeVia(api(), name, input, handlers),
    location,
  };
}

/**
 * The page's own bridge: `window.cockpit` and `location.hash`, both read when used, so a module
 * that imports the page's store outside a page (a unit test of a component module) still loads.
 */
export function windowBridge(): Bridge {
  return bridgeOver(() => window.cockpit, {
    hash: () => globalThis.location?.hash ?? '',
    setHash: (hash) => {
      if (location.hash !== hash) location.hash = hash;
    },
    onHashChange: (listener) => {
      window.addEventListener('hashchange', listener);
      return () => window.removeEventListener('hashchange', listener);
    },
  });
}
