import type { LogSource } from '../../shared/contract/logs';
import type { Runbook } from '../../shared/runbook/schema';

export type Kind = LogSource['kind'];
export const KINDS: Kind[] = ['deployment', 'pod', 'statefulset', 'daemonset', 'job', 'query'];

/** `deployment:codesign-api` (the route's id) as a source; undefined when it is not one. */
export function sourceFromRoute(id: string | undefined): LogSource | undefined {
  if (!id) return undefined;
  const [kind, name, container] = id.split(':');
  if (!name || !KINDS.includes(kind as Kind) || kind === 'query') return undefined;
  return { kind: kind as Exclude<Kind, 'query'>, name, ...(container ? { container } : {}) };
}

/**
 * The filter a route's third part names: a runbook log filter (by its id or the step it comes
 * from), or the filter of the runbook's `k8s.logs` step with that id.
 */
export function filterForStep(runbook: Runbook | undefined, id: string | undefined): { regex: string; ignoreCase?: boolean | undefined } | undefined {
  if (!runbook || !id) return undefined;
  const preset = runbook.logFilters?.find((p) => p.id === id || p.stepId === id);
  if (preset) return preset;
  let found: { regex: string; ignoreCase?: boolean | undefined } | undefined;
  const visit = (value: unknown): void => {
    if (found || !value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const step = value as { id?: unknown; action?: { type?: string; params?: { filter?: { regex: string; ignoreCase?: boolean } } } };
    if (step.id === id && step.action?.type === 'k8s.logs' && step.action.params?.filter) found = step.action.params.filter;
    else Object.values(value).forEach(visit);
  };
  visit(runbook);
  return found;
}

