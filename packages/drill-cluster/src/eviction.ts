/**
 * `POST /api/v1/namespaces/<ns>/pods/<name>/eviction` (what `kubectl drain` sends, JSON or
 * protobuf): reads the `policy/v1` Eviction, asks the disruption budgets
 * (`world/disruption-budgets.ts`), and answers as the API server does: 201 with a Success Status
 * once the pod is being deleted, 429 with the budget's cause when it would violate one.
 */
import { ApiError, failureStatus, statusErrors, successStatus, type KubeStatus } from './status';
import type { KubeObject, ObjectStore } from './types';
import { decideEviction } from './world/disruption-budgets';

interface EvictionBody {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  deleteOptions?: { gracePeriodSeconds?: number; dryRun?: string[]; preconditions?: { uid?: string; resourceVersion?: string } };
}

export interface EvictionOutcome {
  /** The Status to answer with (201). */
  status: KubeStatus;
  /** Delete the pod with these options (absent for a dry run). */
  deleteOptions?: { gracePeriodSeconds?: number };
}

/**
 * Checks the Eviction for `pod` and charges its budget; throws the ApiError to answer when the
 * body is wrong or a budget refuses. The caller deletes the pod (gracefully) when told to.
 */
export function evictPod(store: ObjectStore, pod: KubeObject, body: unknown, query: URLSearchParams, now: number): EvictionOutcome {
  const eviction = (body ?? {}) as EvictionBody;
  if (typeof body !== 'object' || body === null) throw statusErrors.badRequest('the body of an eviction must be a policy/v1 Eviction');
  if (eviction.kind !== undefined && eviction.kind !== 'Eviction') {
    throw statusErrors.badRequest(`the body of an eviction must be a policy/v1 Eviction, not ${eviction.apiVersion ?? ''}/${eviction.kind}`);
  }
  if (eviction.metadata?.name && eviction.metadata.name !== pod.metadata.name) {
    throw statusErrors.badRequest(`name in URL does not match name in Eviction object`);
  }
  const options = eviction.deleteOptions ?? {};
  if (options.preconditions?.uid && options.preconditions.uid !== pod.metadata.uid) {
    throw new ApiError(
      failureStatus(409, 'Conflict', `Operation cannot be fulfilled on pods "${pod.metadata.name}": Precondition failed: UID in precondition: ${options.preconditions.uid}, UID in object meta: ${pod.metadata.uid}`, {
        name: pod.metadata.name,
        kind: 'pods',
      }),
    );
  }
  const dryRun = (options.dryRun ?? []).includes('All') || query.getAll('dryRun').includes('All');
  const decision = decideEviction(store, pod, now, dryRun);
  if (!decision.allowed) {
    throw new ApiError(
      failureStatus(decision.code, decision.reason, decision.message, decision.causes ? { causes: decision.causes } : undefined),
    );
  }
  const status = { ...successStatus(), code: 201 };
  if (dryRun) return { status };
  return { status, deleteOptions: typeof options.gracePeriodSeconds === 'number' ? { gracePeriodSeconds: options.gracePeriodSeconds } : {} };
}
