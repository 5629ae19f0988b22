/**
 * One descriptor per kind the cockpit lists (after Headlamp's resource classes): enough to build
 * its API path and to know whether a namespace applies.
 */
export interface ResourceDescriptor {
  kind: string;
  /** `v1`, `apps/v1`. */
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}

export const RESOURCES = {
  pods: { kind: 'Pod', apiVersion: 'v1', plural: 'pods', namespaced: true },
  deployments: { kind: 'Deployment', apiVersion: 'apps/v1', plural: 'deployments', namespaced: true },
  replicasets: { kind: 'ReplicaSet', apiVersion: 'apps/v1', plural: 'replicasets', namespaced: true },
  statefulsets: { kind: 'StatefulSet', apiVersion: 'apps/v1', plural: 'statefulsets', namespaced: true },
  daemonsets: { kind: 'DaemonSet', apiVersion: 'apps/v1', plural: 'daemonsets', namespaced: true },
  jobs: { kind: 'Job', apiVersion: 'batch/v1', plural: 'jobs', namespaced: true },
  cronjobs: { kind: 'CronJob', apiVersion: 'batch/v1', plural: 'cronjobs', namespaced: true },
  events: { kind: 'Event', apiVersion: 'v1', plural: 'events', namespaced: true },
  nodes: { kind: 'Node', apiVersion: 'v1', plural: 'nodes', namespaced: false },
  horizontalpodautoscalers: { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', plural: 'horizontalpodautoscalers', namespaced: true },
  services: { kind: 'Service', apiVersion: 'v1', plural: 'services', namespaced: true },
  persistentvolumeclaims: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', plural: 'persistentvolumeclaims', namespaced: true },
  persistentvolumes: { kind: 'PersistentVolume', apiVersion: 'v1', plural: 'persistentvolumes', namespaced: false },
  configmaps: { kind: 'ConfigMap', apiVersion: 'v1', plural: 'configmaps', namespaced: true },
  namespaces: { kind: 'Namespace', apiVersion: 'v1', plural: 'namespaces', namespaced: false },
} as const satisfies Record<string, ResourceDescriptor>;

export type ResourceName = keyof typeof RESOURCES;
export const RESOURCE_NAMES = Object.keys(RESOURCES) as ResourceName[];

/**
 * The collection path: `/api/v1/namespaces/ns/pods`, `/apis/apps/v1/deployments` (all
 * namespaces when `namespace` is empty), `/api/v1/nodes` for cluster-scoped kinds.
 */
export function collectionPath(descriptor: ResourceDescriptor, namespace = ''): string {
  const base = descriptor.apiVersion.includes('/') ? `/apis/${descriptor.apiVersion}` : `/api/${descriptor.apiVersion}`;
  const scoped = descriptor.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${scoped}/${descriptor.plural}`;
}
