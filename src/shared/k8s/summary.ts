/**
 * The runbook's "quick system check" at a glance: what is not healthy right now, each item with
 * the filter that shows exactly those objects.
 */
import { eventLastSeen, eventType } from './kube-events';
import { objectKey, statusOf, str, type KubeObject } from './objects';
import { deploymentIsDegraded, nodeStatus, podIsHealthy } from './printers';

export type SummaryItemId = 'pods-unhealthy' | 'deployments-degraded' | 'warning-events' | 'nodes-not-ready' | 'pvcs-not-bound';

export interface SummaryItem {
  id: SummaryItemId;
  label: string;
  /** How many objects; 0 is a healthy item. */
  count: number;
  /** The view that lists them, with the `problem` filter on. */
  view: 'pods' | 'deployments' | 'events' | 'nodes' | 'persistentvolumeclaims';
  /** Keys (`namespace/name`) of the objects counted. */
  keys: string[];
  /** Undefined when that kind is not loaded yet (or could not be listed). */
  known: boolean;
}

export const WARNING_EVENT_WINDOW_MS = 15 * 60_000;

export interface SummaryInput {
  pods?: Iterable<KubeObject>;
  deployments?: Iterable<KubeObject>;
  events?: Iterable<KubeObject>;
  nodes?: Iterable<KubeObject>;
  persistentvolumeclaims?: Iterable<KubeObject>;
  now: number;
}

/** The rule each summary item and its filtered view share. */
export const SUMMARY_RULES: Record<SummaryItemId, (object: KubeObject, now: number) => boolean> = {
  'pods-unhealthy': (pod) => !podIsHealthy(pod),
  'deployments-degraded': (deployment) => deploymentIsDegraded(deployment),
  'warning-events': (event, now) => eventType(event) === 'Warning' && now - eventLastSeen(event) <= WARNING_EVENT_WINDOW_MS,
  'nodes-not-ready': (node) => nodeStatus(node) !== 'Ready',
  'pvcs-not-bound': (pvc) => str(statusOf(pvc).phase) !== 'Bound',
};

const ITEMS: Array<{ id: SummaryItemId; input: keyof Omit<SummaryInput, 'now'>; label: string; view: SummaryItem['view'] }> = [
  { id: 'pods-unhealthy', input: 'pods', label: 'pods not Running or not ready', view: 'pods' },
  { id: 'deployments-degraded', input: 'deployments', label: 'deployments not fully available', view: 'deployments' },
  { id: 'warning-events', input: 'events', label: 'warning events in the last 15 min', view: 'events' },
  { id: 'nodes-not-ready', input: 'nodes', label: 'nodes not Ready', view: 'nodes' },
  { id: 'pvcs-not-bound', input: 'persistentvolumeclaims', label: 'PVCs not Bound', view: 'persistentvolumeclaims' },
];

export function summarizeCluster(input: SummaryInput): SummaryItem[] {
  return ITEMS.map(({ id, input: field, label, view }) => {
    const objects = input[field];
    if (!objects) return { id, label, view, count: 0, keys: [], known: false };
    const keys: string[] = [];
    for (const object of objects) if (SUMMARY_RULES[id](object, input.now)) keys.push(objectKey(object));
    return { id, label, view, count: keys.length, keys, known: true };
  });
}
