/**
 * The cluster's live lists in the renderer: one subscription per kind, shared by every view that
 * shows it (ref-counted), applying the `reset` then `diff`s main sends. Items live in a Map that
 * is changed in place; `version` ticks on every change so views re-render without copying 20,000
 * objects per update. Data is keyed by context and namespace: a list of the old context is
 * dropped, and its late events ignored, as soon as the selection changes.
 */
import type { StateCreator } from 'zustand';
import type { ContextList } from '../../shared/contexts';
import type { ClusterWatchEvent, InformerState, TopEvent, PodUsage, NodeUsage } from '../../shared/contract';
import { objectKey as itemKey, type KubeObject } from '../../shared/k8s/objects';
import type { ResourceName } from '../../shared/k8s/resources';
import type { CockpitError } from '../../shared/result';
import { RequestError } from '../cockpit';
import type { Bridge } from '../state/bridge';

export interface ResourceView {
  state: InformerState | 'subscribing';
  error?: CockpitError;
  attempt?: number;
  /** The first page arrived: rows can show. */
  synced: boolean;
  /** Every page of the first list arrived. */
  complete?: boolean;
  total?: number;
  items: Map<string, KubeObject>;
  version: number;
}

export interface TopReading {
  at: number;
  pods: PodUsage[];
  nodes: NodeUsage[];
  nodesError?: CockpitError;
}

export interface TopView {
  readings: TopReading[];
  error?: CockpitError;
}

/** How many Top readings are kept for the trend. */
export const TOP_HISTORY = 20;

export interface ClusterSlice {
  /** Keyed by `context|namespace|resource`. */
  resources: Record<string, ResourceView>;
  top: Record<string, TopView>;
  namespaces?: { context: string; names: string[]; error?: CockpitError };
  /** Starts (or joins) the live list of `resource` for the current selection; call the result to leave. */
  watchResource(resource: ResourceName): () => void;
  watchTop(): () => void;
  loadNamespaces(): Promise<void>;
  selectNamespace(namespace: string): Promise<void>;
  /** Follows contexts changed elsewhere (files edited on disk, health checks). */
  startContextSync(): void;
}

/** What the cluster slice needs from the rest of the store. */
export interface ClusterSliceHost {
  contexts?: ContextList;
  notice?: CockpitError;
}

export function selectionKey(contexts: ContextList | undefined): string | undefined {
  return contexts?.current === undefined ? undefined : `${contexts.current}|${contexts.namespace}`;
}

export function resourceKey(contexts: ContextList | undefined, resource: ResourceName): string | undefined {
  const selection = selectionKey(contexts);
  return selection === undefined ? undefined : `${selection}|${resource}`;
}

const asError = (error: unknown): CockpitError =>
  error instanceof RequestError ? error.error : { code: 'Internal', message: error instanceof Error ? error.message : String(error) };

export const createClusterSlice = (bridge: Bridge): StateCreator<ClusterSlice & ClusterSliceHost, [], [], ClusterSlice> => (set, get) => {
  /** Our events carry their own state, so each one is applied in turn; a failed stream becomes the notice. */
  const openStream = <E,>(name: 'cluster:watch' | 'cluster:top', input: { context: string; namespace: string; resource?: ResourceName }, onEvent: (event: E) => void): (() => void) =>
    bridge.subscribe(name as never, input as never, {
      events: (events: unknown[]) => events.forEach((event) => onEvent(event as E)),
      error: (error) => set({ notice: error }),
    });
  const watchers = new Map<string, { refs: number; stop: () => void }>();
  const topWatchers = new Map<string, { refs: number; stop: () => void }>();
  let contextSync: (() => void) | undefined;

  const patchResource = (key: string, patch: Partial<ResourceView>) =>
    set((state) => {
      const current = state.resources[key];
      if (!current) return {};
      return { resources: { ...state.resources, [key]: { ...current, ...patch, version: current.version + 1 } } };
    });

  const dropWatcher = (key: string, entry: { stop: () => void }) => {
    watchers.delete(key);
    entry.stop();
    set((state) => {
      const { [key]: _gone, ...rest } = state.resources;
      return { resources: rest };
    });
  };

  const apply = (key: string, event: ClusterWatchEvent) => {
    const view = get().resources[key];
    if (!view) return; // a late event of a list nobody shows any more
    if (event.type === 'state') {
      const patch: Partial<ResourceView> = { state: event.state, ...(event.attempt !== undefined ? { attempt: event.attempt } : {}) };
      if (event.error) patch.error = event.error;
      else if (event.state === 'watching') patch.error = undefined;
      patchResource(key, patch);
    } else if (event.type === 'reset') {
      view.items.clear();
      for (const item of event.items) view.items.set(itemKey(item), item);
      patchResource(key, { synced: true, complete: event.complete, total: event.total });
    } else if (event.type === 'reset-more') {
      for (const item of event.items) view.items.set(itemKey(item), item);
      patchResource(key, { complete: event.complete });
    } else {
      for (const k of event.deleted) view.items.delete(k);
      for (const item of event.upserted) view.items.set(itemKey(item), item);
      patchResource(key, {});
    }
  };

  return {
    resources: {},
    top: {},

    watchResource(resource) {
      const contexts = get().contexts;
      const key = resourceKey(contexts, resource);
      if (!key || !contexts?.current) return () => undefined;
      // Main ends every stream of a selection left behind; a lingering one could not be reused.
      const selection = `${selectionKey(contexts)}|`;
      for (const [k, w] of watchers) {
        if (w.refs === 0 && !k.startsWith(selection)) dropWatcher(k, w);
      }
      let watcher = watchers.get(key);
      if (!watcher) {
        set((state) => ({ resources: { ...state.resources, [key]: { state: 'subscribing', synced: false, items: new Map(), version: 0 } } }));
        const stop = openStream<ClusterWatchEvent>('cluster:watch', { context: contexts.current, resource, namespace: contexts.namespace }, (event) => apply(key, event));
        watcher = { refs: 0, stop };
        watchers.set(key, watcher);
      }
      watcher.refs++;
      const entry = watcher;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        entry.refs--;
        if (entry.refs > 0) return;
        // Kept a moment, so switching tabs back and forth does not relist.
        setTimeout(() => {
          if (entry.refs === 0 && watchers.get(key) === entry) dropWatcher(key, entry);
        }, 10_000);
      };
    },

    watchTop() {
      const contexts = get().contexts;
      const key = selectionKey(contexts);
      if (!key || !contexts?.current) return () => undefined;
      let watcher = topWatchers.get(key);
      if (!watcher) {
        set((state) => ({ top: { ...state.top, [key]: { readings: [] } } }));
        const stop = openStream<TopEvent>('cluster:top', { context: contexts.current, namespace: contexts.namespace }, (event) => {
          const view = get().top[key];
          if (!view) return;
          if (event.type === 'unavailable') {
            set((state) => ({ top: { ...state.top, [key]: { ...view, error: event.error } } }));
            return;
          }
          const reading: TopReading = { at: Date.parse(event.at), pods: event.pods, nodes: event.nodes, ...(event.nodesError ? { nodesError: event.nodesError } : {}) };
          set((state) => ({ top: { ...state.top, [key]: { readings: [...view.readings, reading].slice(-TOP_HISTORY) } } }));
        });
        watcher = { refs: 0, stop };
        topWatchers.set(key, watcher);
      }
      watcher.refs++;
      const entry = watcher;
      return () => {
        entry.refs--;
        if (entry.refs > 0) return;
        topWatchers.delete(key);
        entry.stop();
        set((state) => {
          const { [key]: _gone, ...rest } = state.top;
          return { top: rest };
        });
      };
    },

    async loadNamespaces() {
      const context = get().contexts?.current;
      if (!context) return;
      try {
        const names = await bridge.call('contexts:namespaces', {});
        if (get().contexts?.current === context) set({ namespaces: { context, names } });
      } catch (error) {
        if (get().contexts?.current === context) set({ namespaces: { context, names: [], error: asError(error) } });
      }
    },

    async selectNamespace(namespace) {
      try {
        set({ contexts: await bridge.call('contexts:selectNamespace', { namespace }) });
      } catch (error) {
        set({ notice: asError(error) });
      }
    },

    startContextSync() {
      if (contextSync) return;
      contextSync = bridge.subscribe('contexts:changed', {}, {
        events: (lists) => {
          const list = lists.at(-1);
          if (list) set({ contexts: list });
        },
        error: (error) => set({ notice: error }),
      });
    },
  };
};
