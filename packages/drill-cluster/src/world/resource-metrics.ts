/**
 * `metrics.k8s.io/v1beta1` NodeMetrics and PodMetrics as metrics-server serves them, computed
 * from the app model so `kubectl top` moves with the scenarios.
 */
import type { KubeObject } from '../types';
import type { AppModel } from './app-model';
import type { NodeSlot } from './pod-lifecycle';
import type { PodSim } from './pod-sim';
import { formatKibibytes, formatNanoCores, MIB } from './quantities';
import { rfc3339 } from './object-names';

/** What the node itself (kubelet, containerd, system daemons) uses beside its pods. */
const NODE_SYSTEM_CPU = 0.21;
const NODE_SYSTEM_MEMORY_MIB = 1180;

export function podMetricsOf(app: AppModel, pods: Iterable<PodSim>, now: number, namespace?: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const pod of pods) {
    if (namespace !== undefined && pod.namespace !== namespace) continue;
    if (pod.phase !== 'Running' || !pod.containers.some((c) => c.state === 'running')) continue;
    out.push({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: { name: pod.name, namespace: pod.namespace, creationTimestamp: rfc3339(now), labels: { ...pod.labels } },
      timestamp: rfc3339(now - 5_000),
      window: '15.012s',
      containers: pod.containers
        .filter((c) => c.state === 'running')
        .map((c) => ({
          name: c.name,
          usage: { cpu: formatNanoCores(app.cpuCores(pod, c)), memory: formatKibibytes(app.memoryBytes(pod, c)) },
        })),
    });
  }
  return out.sort((a, b) =>
    `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
  );
}

export function nodeMetricsOf(app: AppModel, nodes: NodeSlot[], pods: Iterable<PodSim>, now: number): KubeObject[] {
  const usage = new Map(nodes.map((n) => [n.name, { cpu: NODE_SYSTEM_CPU, memory: NODE_SYSTEM_MEMORY_MIB * MIB }]));
  for (const pod of pods) {
    const node = pod.nodeName ? usage.get(pod.nodeName) : undefined;
    if (!node) continue;
    for (const c of pod.containers) {
      node.cpu += app.cpuCores(pod, c);
      node.memory += app.memoryBytes(pod, c);
    }
  }
  return nodes.map((n) => ({
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'NodeMetrics',
    metadata: {
      name: n.name,
      creationTimestamp: rfc3339(now),
      labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
    },
    timestamp: rfc3339(now - 5_000),
    window: '20.05s',
    usage: { cpu: formatNanoCores(usage.get(n.name)?.cpu ?? 0), memory: formatKibibytes(usage.get(n.name)?.memory ?? 0) },
  }));
}
