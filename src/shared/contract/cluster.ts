import { z } from 'zod';
import type { KubeObject } from '../k8s/objects';
import { RESOURCE_NAMES, type ResourceName } from '../k8s/resources';
import type { CockpitError } from '../result';
import { stream } from './define';
import { NamespaceChoice } from './contexts';

const WatchInput = z.strictObject({
  /** The context the view was opened for; a subscription for a context no longer current is refused. */
  context: z.string().min(1).max(253),
  resource: z.enum(RESOURCE_NAMES as [ResourceName, ...ResourceName[]]),
  namespace: NamespaceChoice,
});

/** Where an informer stands; `error` carries why it is not watching (403 on that kind, unreachable). */
export type InformerState = 'listing' | 'watching' | 'reconnecting' | 'failed';

/**
 * A live list: once listed, a `reset` (the first page of objects and the total) followed by
 * `reset-more` pages until `complete`, then `diff`s only (upserts and deleted keys,
 * `namespace/name`), and `state` whenever the informer's state changes. Pages keep every event
 * small enough for any transport's batch limit. Objects have no managedFields, and env values
 * that look secret are masked.
 */
export type ClusterWatchEvent =
  | { type: 'reset'; resourceVersion: string; items: KubeObject[]; total: number; complete: boolean }
  | { type: 'reset-more'; items: KubeObject[]; complete: boolean }
  | { type: 'diff'; resourceVersion: string; upserted: KubeObject[]; deleted: string[] }
  | { type: 'state'; state: InformerState; error?: CockpitError; attempt?: number };

export interface UsageFigures {
  /** Cores and bytes used. */
  cpu: number;
  memory: number;
  cpuRequest?: number;
  cpuLimit?: number;
  memoryRequest?: number;
  memoryLimit?: number;
}

export interface PodUsage extends UsageFigures {
  namespace: string;
  name: string;
  node?: string;
  containers: Array<UsageFigures & { name: string }>;
}

export interface NodeUsage extends UsageFigures {
  name: string;
  /** Allocatable cores and bytes: what percentages are of. */
  cpuAllocatable?: number;
  memoryAllocatable?: number;
}

/** One reading of metrics.k8s.io, or why there is none (no metrics API: it names metrics-server). */
export type TopEvent =
  | { type: 'reading'; at: string; window?: string; pods: PodUsage[]; nodes: NodeUsage[]; nodesError?: CockpitError }
  | { type: 'unavailable'; error: CockpitError };

export const clusterRequests = {} as const;

export const clusterStreams = {
  /** Informer-backed list of one kind in the current context and namespace. */
  'cluster:watch': stream(WatchInput).emits<ClusterWatchEvent>(),
  /** CPU and memory of pods (with requests and limits) and nodes, every `intervalSeconds` (default 15). */
  'cluster:top': stream(
    z.strictObject({
      context: z.string().min(1).max(253),
      namespace: NamespaceChoice,
      intervalSeconds: z.number().int().min(1).max(3600).optional(),
    }),
  ).emits<TopEvent>(),
} as const;
