/**
 * Which pod and which of its ports a tunnel reaches, as `kubectl port-forward` decides it: a
 * service's port maps to its targetPort (a number, or a container port name looked up in the
 * pod), and a service, statefulset or deployment is served by one of the Ready pods its
 * selector picks. Pure functions over objects as the API server returns them, unit-tested.
 */
import { asList, asObj, num, specOf, statusOf, str, type KubeObject } from '../../shared/k8s/objects';
import type { TunnelTarget } from '../../shared/contract/tunnels';
import { CockpitFailure } from '../../shared/result';

/** Why a pod cannot serve a tunnel now; `undefined` when it can. */
export function podUnreadyReason(pod: KubeObject): string | undefined {
  const name = pod.metadata.name;
  if (pod.metadata.deletionTimestamp) return `pod ${name} is terminating`;
  const phase = str(statusOf(pod).phase, 'Unknown');
  if (phase !== 'Running') return `pod ${name} is not running (phase ${phase})`;
  const ready = asList(statusOf(pod).conditions).find((c) => c.type === 'Ready');
  if (ready && ready.status !== 'True') {
    const waiting = asList(statusOf(pod).containerStatuses)
      .map((s) => asObj(asObj(s.state).waiting).reason)
      .find(Boolean);
    return `pod ${name} is not ready${waiting ? ` (${str(waiting)})` : ''}`;
  }
  return undefined;
}

/**
 * The pod a workload's tunnel should use: the current one while it stays Ready (connections do
 * not hop between replicas), else the oldest Ready pod, by name when they tie.
 */
export function pickReadyPod(pods: readonly KubeObject[], current?: string): KubeObject | undefined {
  const ready = pods.filter((p) => !podUnreadyReason(p));
  const kept = current ? ready.find((p) => p.metadata.name === current) : undefined;
  if (kept) return kept;
  return [...ready].sort(
    (a, b) => str(a.metadata.creationTimestamp).localeCompare(str(b.metadata.creationTimestamp)) || a.metadata.name.localeCompare(b.metadata.name),
  )[0];
}

/** Why none of `pods` can serve: the best reason to show (the first unready one's, or none exist). */
export function noReadyPodReason(target: TunnelTarget, pods: readonly KubeObject[]): string {
  if (pods.length === 0) return `no pod of ${target.kind} ${target.name} exists (pod not found)`;
  const reasons = pods.map(podUnreadyReason).filter(Boolean);
  return `no Ready pod of ${target.kind} ${target.name} (pod not ready): ${reasons.slice(0, 3).join('; ')}`;
}

/** A `matchLabels` / `matchExpressions` selector (or a service's plain map) as a labelSelector query. */
export function labelSelectorOf(selector: unknown): string {
  const sel = asObj(selector);
  const isLabelSelector = 'matchLabels' in sel || 'matchExpressions' in sel;
  const labels = asObj(isLabelSelector ? sel.matchLabels : sel);
  const terms = Object.entries(labels).map(([k, v]) => `${k}=${str(v)}`);
  if (isLabelSelector) {
    for (const e of asList(sel.matchExpressions)) {
      const key = str(e.key);
      const values = asList(e.values).length ? (e.values as unknown[]).map((v) => str(v)) : [];
      switch (str(e.operator)) {
        case 'In':
          terms.push(`${key} in (${values.join(',')})`);
          break;
        case 'NotIn':
          terms.push(`${key} notin (${values.join(',')})`);
          break;
        case 'Exists':
          terms.push(key);
          break;
        case 'DoesNotExist':
          terms.push(`!${key}`);
          break;
      }
    }
  }
  return terms.join(',');
}

/**
 * A service port (by number or name) to the targetPort it forwards to. A service port without
 * targetPort targets the same number, as Kubernetes defaults it.
 */
export function serviceTargetPort(service: KubeObject, port: number | string): number | string {
  const ports = asList(specOf(service).ports);
  const match = ports.find((p) => (typeof port === 'number' ? num(p.port) === port : str(p.name) === port));
  if (!match) {
    const offered = ports.map((p) => `${num(p.port)}${p.name ? ` (${str(p.name)})` : ''}`).join(', ') || 'none';
    throw new CockpitFailure('NotFound', `service ${service.metadata.name} has no port ${port}; its ports: ${offered}`);
  }
  const target = match.targetPort;
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && target !== '') return /^\d+$/.test(target) ? Number(target) : target;
  return num(match.port);
}

/** A pod port by number (taken as is, as kubectl does) or by a container port's name. */
export function podPortNumber(pod: KubeObject, port: number | string): number {
  if (typeof port === 'number') return port;
  for (const container of asList(specOf(pod).containers)) {
    const found = asList(container.ports).find((p) => str(p.name) === port);
    if (found) return num(found.containerPort);
  }
  const named = asList(specOf(pod).containers)
    .flatMap((c) => asList(c.ports))
    .map((p) => (p.name ? `${str(p.name)}=${num(p.containerPort)}` : String(num(p.containerPort))));
  throw new CockpitFailure('NotFound', `pod ${pod.metadata.name} has no container port named "${port}"; its ports: ${named.join(', ') || 'none declared'}`);
}

/** The API path of the object a workload target names, for reading its selector. */
export function targetObjectPath(namespace: string, target: TunnelTarget): string {
  const ns = encodeURIComponent(namespace);
  const name = encodeURIComponent(target.name);
  switch (target.kind) {
    case 'pod':
      return `/api/v1/namespaces/${ns}/pods/${name}`;
    case 'service':
      return `/api/v1/namespaces/${ns}/services/${name}`;
    case 'statefulset':
      return `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`;
    case 'deployment':
      return `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
  }
}

/** The label selector that picks a target object's pods (a service's `spec.selector`, a workload's `spec.selector`). */
export function podSelectorOf(target: TunnelTarget, object: KubeObject): string {
  const selector = specOf(object).selector;
  const query = labelSelectorOf(selector);
  if (!query) {
    const why = target.kind === 'service' ? 'has no selector (its endpoints are managed by hand; forward to a pod instead)' : 'has an empty selector';
    throw new CockpitFailure('Invalid', `${target.kind} ${target.name} ${why}`);
  }
  return query;
}
