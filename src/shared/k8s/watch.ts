/**
 * Applying watch events to a cached list (Headlamp's `KubeList.applyUpdate`), pure so the
 * informers in main and their tests share one definition of "what the list is now".
 */
import { objectKey, type KubeObject, type KubeStatus } from './objects';

/** A list at a position: what a LIST answered plus every watch event applied since. */
export interface ObjectList<T extends KubeObject = KubeObject> {
  resourceVersion: string;
  items: ReadonlyMap<string, T>;
}

export type WatchEvent<T extends KubeObject = KubeObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { type: 'BOOKMARK'; object: { metadata: { resourceVersion?: string } } }
  | { type: 'ERROR'; object: KubeStatus };

/** What changed; `relist` when the server said the position is gone (410), `error` for another ERROR event. */
export interface WatchApplied<T extends KubeObject = KubeObject> {
  list: ObjectList<T>;
  upserted: T[];
  deleted: string[];
  /** Events older than what the list already holds (replays after a reconnect), ignored. */
  stale: number;
  relist?: KubeStatus;
  error?: KubeStatus;
}

export function emptyList<T extends KubeObject>(resourceVersion = ''): ObjectList<T> {
  return { resourceVersion, items: new Map() };
}

export function listOf<T extends KubeObject>(items: readonly T[], resourceVersion: string): ObjectList<T> {
  return { resourceVersion, items: new Map(items.map((item) => [objectKey(item), item])) };
}

/**
 * Compares two resourceVersions: negative when `a` is older. They are opaque strings in the API,
 * but every real server (etcd revisions) and the drill use decimal integers; anything else is
 * not comparable (`undefined`) and is taken as newer.
 */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number | undefined {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return undefined;
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

const isOlderOrSame = (a: string | undefined, b: string | undefined): boolean => {
  const order = compareResourceVersions(a, b);
  return order !== undefined && order <= 0;
};

/** Applies one event; the input list is never changed. */
export function applyWatchEvent<T extends KubeObject>(list: ObjectList<T>, event: WatchEvent<T>): WatchApplied<T> {
  return applyWatchEvents(list, [event]);
}

/**
 * Applies events in order with one copy of the map (informers batch what arrives in a tick).
 * ADDED / MODIFIED upsert, DELETED removes, BOOKMARK moves the position; an event at or below
 * the list's position, or older than the object held, is stale and ignored; `ERROR` 410 asks
 * for a relist and stops at that event.
 */
export function applyWatchEvents<T extends KubeObject>(list: ObjectList<T>, events: readonly WatchEvent<T>[]): WatchApplied<T> {
  const items = new Map(list.items);
  let resourceVersion = list.resourceVersion;
  const upserted = new Map<string, T>();
  const deleted = new Set<string>();
  let stale = 0;
  const done = (extra: Partial<WatchApplied<T>> = {}): WatchApplied<T> => ({
    list: { resourceVersion, items },
    upserted: [...upserted.values()],
    deleted: [...deleted],
    stale,
    ...extra,
  });
  for (const event of events) {
    if (event.type === 'ERROR') {
      const status = event.object ?? {};
      return status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone' ? done({ relist: status }) : done({ error: status });
    }
    const eventVersion = event.object?.metadata?.resourceVersion;
    if (event.type === 'BOOKMARK') {
      if (eventVersion && !isOlderOrSame(eventVersion, resourceVersion)) resourceVersion = eventVersion;
      continue;
    }
    const object = event.object;
    if (!object?.metadata?.name) {
      stale++;
      continue;
    }
    const key = objectKey(object);
    const held = items.get(key);
    if (isOlderOrSame(eventVersion, resourceVersion) || (held && compareResourceVersions(eventVersion, held.metadata.resourceVersion) !== undefined && isOlderOrSame(eventVersion, held.metadata.resourceVersion))) {
      stale++;
      continue;
    }
    if (event.type === 'DELETED') {
      if (items.delete(key) || upserted.has(key)) {
        upserted.delete(key);
        deleted.add(key);
      }
    } else {
      items.set(key, object);
      deleted.delete(key);
      upserted.set(key, object);
    }
    if (eventVersion && compareResourceVersions(eventVersion, resourceVersion) !== undefined) resourceVersion = eventVersion;
    else if (eventVersion && !resourceVersion) resourceVersion = eventVersion;
  }
  return done();
}

/**
 * What a relist changed against the list held before it: objects new or at another
 * resourceVersion, and keys gone. Sending this instead of the whole list keeps a reconnect
 * free of duplicates and of missing objects.
 */
export function diffLists<T extends KubeObject>(before: ObjectList<T>, after: ObjectList<T>): { upserted: T[]; deleted: string[] } {
  const upserted: T[] = [];
  for (const [key, object] of after.items) {
    const held = before.items.get(key);
    if (!held || held.metadata.resourceVersion !== object.metadata.resourceVersion || held.metadata.uid !== object.metadata.uid) upserted.push(object);
  }
  const deleted = [...before.items.keys()].filter((key) => !after.items.has(key));
  return { upserted, deleted };
}
