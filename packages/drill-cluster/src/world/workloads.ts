/**
 * Building blocks the workload controllers share: owner references, pods made from templates,
 * and reading a pod template's containers (resources, env, probes) as plain numbers.
 */
import type { KubeObject, ObjectMeta } from '../types';
import { parseQuantity } from './quantities';

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: PodSpec;
}

export interface ContainerSpec {
  name: string;
  image?: string;
  env?: Array<{ name: string; value?: string; valueFrom?: Record<string, unknown> }>;
  envFrom?: Array<Record<string, unknown>>;
  ports?: Array<{ containerPort: number; name?: string; protocol?: string }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: { initialDelaySeconds?: number; periodSeconds?: number; [key: string]: unknown };
  [key: string]: unknown;
}

export interface PodSpec {
  containers: ContainerSpec[];
  nodeName?: string;
  restartPolicy?: string;
  [key: string]: unknown;
}

export type OwnerReference = NonNullable<ObjectMeta['ownerReferences']>[number];

/** The controller owner reference `owner` puts on what it creates. */
export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The owner reference marked `controller: true`, if any. */
export function controllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller);
}

/** A pod object from a template, with the defaults the API server would fill in. */
export function podFromTemplate(
  template: PodTemplate,
  meta: { name: string; namespace: string; owner?: KubeObject; labels?: Record<string, string> },
): KubeObject {
  const spec = structuredClone(template.spec ?? { containers: [] }) as PodSpec;
  spec.containers = spec.containers.map((c) => ({
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
    ...c,
  }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      labels: { ...(template.metadata?.labels ?? {}), ...(meta.labels ?? {}) },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ...(meta.owner ? { ownerReferences: [controllerRef(meta.owner)] } : {}),
    },
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      schedulerName: 'default-scheduler',
      securityContext: {},
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      ...spec,
    },
    status: { phase: 'Pending', qosClass: qosClassOf(spec) },
  };
}

/** Guaranteed, Burstable or BestEffort, from the containers' requests and limits. */
export function qosClassOf(spec: PodSpec): string {
  let any = false;
  let guaranteed = true;
  for (const c of spec.containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (!lim[r] || (req[r] !== undefined && parseQuantity(req[r]) !== parseQuantity(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** The label selector's `matchLabels` matches `labels` (matchExpressions `In`/`Exists` too). */
export function selectorMatches(selector: unknown, labels: Record<string, string> | undefined): boolean {
  const sel = selector as
    | { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }
    | undefined;
  if (!sel) return false;
  const have = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (have[k] !== v) return false;
  for (const expr of sel.matchExpressions ?? []) {
    const value = have[expr.key];
    switch (expr.operator) {
      case 'In':
        if (value === undefined || !(expr.values ?? []).includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && (expr.values ?? []).includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
    }
  }
  return true;
}

/** A container's plain env value (`value:` entries only). */
export function plainEnv(container: ContainerSpec | undefined, name: string): string | undefined {
  return container?.env?.find((e) => e.name === name)?.value;
}

/** Resolves `maxSurge` / `maxUnavailable` (int or percent) against `replicas`. */
export function resolveIntOrPercent(value: unknown, replicas: number, roundUp: boolean, fallback: number): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const match = /^(\d+)%$/.exec(value);
    if (match) {
      const exact = (Number(match[1]) * replicas) / 100;
      return roundUp ? Math.ceil(exact) : Math.floor(exact);
    }
    const n = Number(value);
    if (!Number.isNaN(n)) return n;
  }
  return fallback;
}
