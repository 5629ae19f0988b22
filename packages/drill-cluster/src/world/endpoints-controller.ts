/**
 * The Endpoints controller: each Service with a selector lists the IPs of its Ready pods (and
 * the not-ready ones apart), in its Endpoints and in an EndpointSlice (what `kubectl describe svc`
 * reads since 1.31), so both show where traffic goes.
 */
import { RESOURCE_KEYS } from '../resources';
import { StoreError, type KubeObject } from '../types';
import { isPodActive, isPodReady, readObjects, type ControllerContext } from './controller-context';
import { canonicalJson, podTemplateHash } from './object-names';
import { selectorMatches, type PodSpec } from './workloads';

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}

function targetPortOf(port: ServicePort, pods: readonly KubeObject[]): number {
  if (typeof port.targetPort === 'number') return port.targetPort;
  if (typeof port.targetPort === 'string') {
    for (const pod of pods) {
      for (const c of (pod.spec as PodSpec).containers) {
        const named = c.ports?.find((p) => p.name === port.targetPort);
        if (named) return named.containerPort;
      }
    }
  }
  return port.port;
}

export class EndpointsController {
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(namespace: string): void {
    const { store } = this.ctx;
    const pods = readObjects(store, RESOURCE_KEYS.pods, namespace).filter(
      (p) => isPodActive(p) && (p.status as { podIP?: string } | undefined)?.podIP,
    );
    for (const service of readObjects(store, RESOURCE_KEYS.services, namespace)) {
      const selector = (service.spec as { selector?: Record<string, string> } | undefined)?.selector;
      if (!selector || Object.keys(selector).length === 0) continue;
      const members = pods.filter((p) => selectorMatches({ matchLabels: selector }, p.metadata.labels));
      const address = (pod: KubeObject): Record<string, unknown> => ({
        ip: (pod.status as { podIP: string }).podIP,
        nodeName: (pod.spec as PodSpec).nodeName,
        targetRef: { kind: 'Pod', name: pod.metadata.name, namespace, uid: pod.metadata.uid },
      });
      const ready = members.filter(isPodReady).map(address);
      const notReady = members.filter((p) => !isPodReady(p)).map(address);
      const ports = ((service.spec as { ports?: ServicePort[] }).ports ?? []).map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: targetPortOf(p, members),
        protocol: p.protocol ?? 'TCP',
      }));
      const subsets =
        ready.length + notReady.length > 0
          ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports }]
          : undefined;
      this.write(service, subsets);
      const endpoints = members.map((pod) => {
        const isReady = isPodReady(pod);
        return {
          addresses: [(pod.status as { podIP: string }).podIP],
          conditions: { ready: isReady, serving: isReady, terminating: pod.metadata.deletionTimestamp !== undefined },
          nodeName: (pod.spec as PodSpec).nodeName,
          targetRef: { kind: 'Pod', name: pod.metadata.name, namespace, uid: pod.metadata.uid },
        };
      });
      this.writeSlice(service, endpoints, ports);
    }
  }

  private writeSlice(service: KubeObject, endpoints: unknown[], ports: unknown[]): void {
    const { store } = this.ctx;
    const namespace = service.metadata.namespace;
    const name = `${service.metadata.name}-${podTemplateHash(service.metadata.name).slice(0, 5)}`;
    const existing = store.get(RESOURCE_KEYS.endpointslices, namespace, name);
    try {
      if (!existing) {
        store.create(RESOURCE_KEYS.endpointslices, {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name,
            namespace,
            labels: { ...(service.metadata.labels ?? {}), 'kubernetes.io/service-name': service.metadata.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
            ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: service.metadata.name, uid: service.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
          },
          addressType: 'IPv4',
          endpoints,
          ports,
        });
      } else if (canonicalJson({ e: existing.endpoints ?? [], p: existing.ports ?? [] }) !== canonicalJson({ e: endpoints, p: ports })) {
        store.mutate(RESOURCE_KEYS.endpointslices, namespace, name, (draft) => {
          draft.endpoints = endpoints;
          draft.ports = ports;
        });
      }
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
    }
  }

  private write(service: KubeObject, subsets: unknown[] | undefined): void {
    const { store } = this.ctx;
    const namespace = service.metadata.namespace;
    const name = service.metadata.name;
    const existing = store.get(RESOURCE_KEYS.endpoints, namespace, name);
    try {
      if (!existing) {
        store.create(RESOURCE_KEYS.endpoints, {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name, namespace, labels: { ...(service.metadata.labels ?? {}) } },
          ...(subsets ? { subsets } : {}),
        });
      } else if (canonicalJson(existing.subsets ?? null) !== canonicalJson(subsets ?? null)) {
        store.mutate(RESOURCE_KEYS.endpoints, namespace, name, (draft) => {
          if (subsets) draft.subsets = subsets;
          else delete draft.subsets;
        });
      }
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
    }
  }
}
