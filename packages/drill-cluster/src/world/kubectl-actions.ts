/**
 * What kubectl does for the runbook's commands, as direct store writes: lets the world's tests
 * (and anything else without an HTTP client) act like an operator. `rollout undo` follows
 * kubectl's client-side algorithm: the chosen ReplicaSet's template, minus its hash label,
 * replaces the Deployment's, and the ReplicaSet's annotations come along.
 */
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject, ObjectStore } from '../types';
import { REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, revisionOf } from './deployment-controller';
import { rfc3339, withoutTemplateHash } from './object-names';
import { controllerOf, type PodSpec } from './workloads';

interface TemplateHolder {
  template: { metadata?: { annotations?: Record<string, string> }; spec: PodSpec };
  replicas?: number;
}

function mutateDeployment(store: ObjectStore, namespace: string, name: string, fn: (spec: TemplateHolder, d: KubeObject) => void): KubeObject {
  return store.mutate(RESOURCE_KEYS.deployments, namespace, name, (d) => fn(d.spec as TemplateHolder, d));
}

/** `kubectl rollout restart deployment/<name>`. */
export function rolloutRestart(store: ObjectStore, namespace: string, name: string, now: number): KubeObject {
  return mutateDeployment(store, namespace, name, (spec) => {
    spec.template.metadata = spec.template.metadata ?? {};
    spec.template.metadata.annotations = { ...(spec.template.metadata.annotations ?? {}), 'kubectl.kubernetes.io/restartedAt': rfc3339(now) };
  });
}

/** `kubectl set image deployment/<name> <container>=<image>`. */
export function setImage(store: ObjectStore, namespace: string, name: string, container: string, image: string): KubeObject {
  return mutateDeployment(store, namespace, name, (spec) => {
    const c = spec.template.spec.containers.find((x) => x.name === container);
    if (c) c.image = image;
  });
}

/** `kubectl set env deployment/<name> KEY=value` (every container). */
export function setEnv(store: ObjectStore, namespace: string, name: string, key: string, value: string): KubeObject {
  return mutateDeployment(store, namespace, name, (spec) => {
    for (const c of spec.template.spec.containers) {
      const env = (c.env ??= []);
      const entry = env.find((e) => e.name === key);
      if (entry) {
        entry.value = value;
        delete entry.valueFrom;
      } else env.push({ name: key, value });
    }
  });
}

/** `kubectl scale deployment <name> --replicas=<n>`. */
export function scaleDeployment(store: ObjectStore, namespace: string, name: string, replicas: number): KubeObject {
  return mutateDeployment(store, namespace, name, (spec) => {
    spec.replicas = replicas;
  });
}

/** The runbook's `kubectl patch` of a container's memory limit. */
export function patchMemoryLimit(store: ObjectStore, namespace: string, name: string, container: string, limit: string): KubeObject {
  return mutateDeployment(store, namespace, name, (spec) => {
    const c = spec.template.spec.containers.find((x) => x.name === container);
    if (c) c.resources = { ...(c.resources ?? {}), limits: { ...(c.resources?.limits ?? {}), memory: limit } };
  });
}

/** The Deployment's ReplicaSets, oldest revision first. */
export function replicaSetsOf(store: ObjectStore, deployment: KubeObject): KubeObject[] {
  return store
    .list(RESOURCE_KEYS.replicasets, deployment.metadata.namespace)
    .filter((rs) => controllerOf(rs)?.uid === deployment.metadata.uid)
    .sort((a, b) => revisionOf(a) - revisionOf(b));
}

/** `kubectl rollout undo deployment/<name> [--to-revision=N]`; answers the revision rolled back to. */
export function rolloutUndo(store: ObjectStore, namespace: string, name: string, toRevision = 0): number {
  const deployment = store.get(RESOURCE_KEYS.deployments, namespace, name);
  if (!deployment) throw new Error(`deployments.apps "${name}" not found`);
  const sets = replicaSetsOf(store, deployment);
  const current = revisionOf(deployment);
  const target =
    toRevision > 0
      ? sets.find((rs) => revisionOf(rs) === toRevision)
      : [...sets].reverse().find((rs) => revisionOf(rs) < current);
  if (!target) throw new Error('no rollout history found');
  const template = withoutTemplateHash((target.spec as TemplateHolder).template);
  const skip = new Set([REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, 'deployment.kubernetes.io/desired-replicas', 'deployment.kubernetes.io/max-replicas', 'kubectl.kubernetes.io/last-applied-configuration']);
  mutateDeployment(store, namespace, name, (spec, d) => {
    spec.template = template as TemplateHolder['template'];
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (skip.has(k)) annotations[k] = v;
    for (const [k, v] of Object.entries(target.metadata.annotations ?? {})) if (!skip.has(k)) annotations[k] = v;
    d.metadata.annotations = annotations;
  });
  return revisionOf(target);
}

/** `kubectl patch hpa <name> -p '{"spec":{"minReplicas":..,"maxReplicas":..}}'`. */
export function patchAutoscaler(store: ObjectStore, namespace: string, name: string, limits: { minReplicas?: number; maxReplicas?: number }): KubeObject {
  return store.mutate(RESOURCE_KEYS.horizontalpodautoscalers, namespace, name, (draft) => {
    draft.spec = { ...(draft.spec as Record<string, unknown>), ...limits };
  });
}
