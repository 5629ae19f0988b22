/**
 * PodDisruptionBudgets as the disruption controller keeps them (`status.currentHealthy`,
 * `desiredHealthy`, `expectedPods`, `disruptionsAllowed`, `disruptedPods`, the `DisruptionAllowed`
 * condition), and the eviction check the API server makes against them (after
 * `pkg/registry/core/pod/storage/eviction.go`): a pod that is terminal, pending or already being
 * deleted goes without a check; one covered by a budget with no disruption left is refused
 * with 429 TooManyRequests.
 */
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject, ObjectStore } from '../types';
import { isPodActive, isPodReady, readObjects, writeStatus } from './controller-context';
import { controllerOf, resolveIntOrPercent, selectorMatches } from './workloads';

/** How long an evicted pod is held out of `currentHealthy` while it is not yet deleted (the controller's DeletionTimeout). */
const DISRUPTED_POD_TIMEOUT_MS = 2 * 60_000;

export const EVICTION_REFUSED_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

interface BudgetSpec {
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  selector?: unknown;
  unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow';
}

interface BudgetStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: Array<Record<string, unknown>>;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The pods a budget covers: its selector over the namespace's pods (a nil selector covers none). */
export function coveredPods(store: ObjectStore, pdb: KubeObject): KubeObject[] {
  const spec = (pdb.spec ?? {}) as BudgetSpec;
  if (spec.selector === undefined || spec.selector === null) return [];
  return readObjects(store, RESOURCE_KEYS.pods, pdb.metadata.namespace).filter((pod) => selectorMatches(spec.selector, pod.metadata.labels));
}

/** The scale of the controllers behind `pods` (Deployment via its ReplicaSet, StatefulSet, ReplicaSet). */
function expectedScale(store: ObjectStore, namespace: string | undefined, pods: KubeObject[]): number {
  const seen = new Map<string, number>();
  let bare = 0;
  for (const pod of pods) {
    const owner = controllerOf(pod);
    if (!owner) {
      bare++;
      continue;
    }
    let top: KubeObject | undefined;
    if (owner.kind === 'ReplicaSet') {
      const rs = store.get(RESOURCE_KEYS.replicasets, namespace, owner.name);
      const deploymentRef = rs ? controllerOf(rs) : undefined;
      top = deploymentRef?.kind === 'Deployment' ? store.get(RESOURCE_KEYS.deployments, namespace, deploymentRef.name) : rs;
    } else if (owner.kind === 'StatefulSet') {
      top = store.get(RESOURCE_KEYS.statefulsets, namespace, owner.name);
    }
    if (!top) {
      bare++;
      continue;
    }
    seen.set(`${top.kind}/${top.metadata.name}`, (top.spec as { replicas?: number } | undefined)?.replicas ?? 1);
  }
  return [...seen.values()].reduce((a, b) => a + b, bare);
}

/** The status a budget should have now (what the disruption controller writes). */
export function budgetStatus(store: ObjectStore, pdb: KubeObject, now: number): BudgetStatus {
  const spec = (pdb.spec ?? {}) as BudgetSpec;
  const previous = (pdb.status ?? {}) as Partial<BudgetStatus>;
  const pods = coveredPods(store, pdb).filter((p) => {
    const phase = (p.status as { phase?: string } | undefined)?.phase;
    return phase !== 'Succeeded' && phase !== 'Failed';
  });
  // Evicted pods stay out of currentHealthy until they are deleted or the timeout passes.
  const disruptedPods: Record<string, string> = {};
  for (const [name, at] of Object.entries(previous.disruptedPods ?? {})) {
    const pod = pods.find((p) => p.metadata.name === name);
    if (pod && !pod.metadata.deletionTimestamp && Date.parse(at) + DISRUPTED_POD_TIMEOUT_MS > now) disruptedPods[name] = at;
  }
  const currentHealthy = pods.filter((p) => isPodActive(p) && isPodReady(p) && !(p.metadata.name in disruptedPods)).length;
  let expectedPods: number;
  let desiredHealthy: number;
  if (spec.maxUnavailable !== undefined) {
    expectedPods = expectedScale(store, pdb.metadata.namespace, pods);
    desiredHealthy = Math.max(0, expectedPods - resolveIntOrPercent(spec.maxUnavailable, expectedPods, true, 0));
  } else if (typeof spec.minAvailable === 'string' && spec.minAvailable.endsWith('%')) {
    expectedPods = expectedScale(store, pdb.metadata.namespace, pods);
    desiredHealthy = resolveIntOrPercent(spec.minAvailable, expectedPods, true, 0);
  } else {
    expectedPods = pods.length;
    desiredHealthy = resolveIntOrPercent(spec.minAvailable ?? 1, expectedPods, true, 1);
  }
  const disruptionsAllowed = Math.max(0, currentHealthy - desiredHealthy);
  const allowed = disruptionsAllowed > 0;
  const previousCondition = previous.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const status = allowed ? 'True' : 'False';
  const generation = pdb.metadata.generation ?? 1;
  return {
    observedGeneration: generation,
    ...(Object.keys(disruptedPods).length > 0 ? { disruptedPods } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods,
    conditions: [
      {
        type: 'DisruptionAllowed',
        status,
        reason: allowed ? 'SufficientPods' : 'InsufficientPods',
        message: '',
        observedGeneration: generation,
        lastTransitionTime: previousCondition?.status === status && typeof previousCondition.lastTransitionTime === 'string' ? previousCondition.lastTransitionTime : rfc3339(now),
      },
    ],
  };
}

/** The disruption controller: every budget's status brought up to date (written only when it changed). */
export function reconcileDisruptionBudgets(store: ObjectStore, now: number): void {
  for (const pdb of readObjects(store, RESOURCE_KEYS.poddisruptionbudgets)) {
    writeStatus(store, RESOURCE_KEYS.poddisruptionbudgets, pdb, budgetStatus(store, pdb, now) as unknown as Record<string, unknown>);
  }
}

/** What the API server answers an eviction with, before the pod is deleted. */
export type EvictionDecision =
  | { allowed: true; /** The budget charged for it (its status already updated), if any. */ budget?: string }
  | { allowed: false; code: 429 | 500 | 403; reason: 'TooManyRequests' | 'InternalError' | 'Forbidden'; message: string; causes?: Array<{ reason: string; message: string }> };

/**
 * The eviction check for `pod`: with `dryRun` nothing is written, else an allowed eviction charges
 * its budget (one disruption less, the pod in `disruptedPods`) before the caller deletes the pod.
 */
export function decideEviction(store: ObjectStore, pod: KubeObject, now: number, dryRun: boolean): EvictionDecision {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (pod.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending') return { allowed: true };
  const budgets = readObjects(store, RESOURCE_KEYS.poddisruptionbudgets, pod.metadata.namespace).filter((pdb) => {
    const selector = (pdb.spec as BudgetSpec | undefined)?.selector;
    return selector !== undefined && selector !== null && selectorMatches(selector, pod.metadata.labels);
  });
  if (budgets.length === 0) return { allowed: true };
  if (budgets.length > 1) {
    return { allowed: false, code: 500, reason: 'InternalError', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' };
  }
  const pdb = budgets[0] as KubeObject;
  const status = budgetStatus(store, pdb, now);
  const spec = (pdb.spec ?? {}) as BudgetSpec;
  const ready = isPodReady(pod);
  // An unready pod may go when the budget is healthy anyway (IfHealthyBudget), or always (AlwaysAllow).
  if (!ready && (spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' || status.currentHealthy >= status.desiredHealthy)) return { allowed: true };
  if (status.disruptionsAllowed <= 0) {
    return {
      allowed: false,
      code: 429,
      reason: 'TooManyRequests',
      message: EVICTION_REFUSED_MESSAGE,
      causes: [
        {
          reason: 'DisruptionBudget',
          message: `The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
        },
      ],
    };
  }
  if (!dryRun) {
    const charged: BudgetStatus = {
      ...status,
      disruptionsAllowed: status.disruptionsAllowed - 1,
      disruptedPods: { ...(status.disruptedPods ?? {}), [pod.metadata.name]: rfc3339(now) },
    };
    writeStatus(store, RESOURCE_KEYS.poddisruptionbudgets, pdb, charged as unknown as Record<string, unknown>);
  }
  return { allowed: true, budget: pdb.metadata.name };
}
