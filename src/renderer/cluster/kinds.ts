import type { ResourceName } from '../../shared/k8s/resources';

/** What the drawer shows: a kind and an object key (`namespace/name`). */
export interface DrawerTarget {
  resource: ResourceName;
  key: string;
}

/** The list a kind named in an event or an owner reference lives in. */
export const KIND_RESOURCE: Record<string, ResourceName> = {
  Pod: 'pods',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
  Node: 'nodes',
  HorizontalPodAutoscaler: 'horizontalpodautoscalers',
  Service: 'services',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  PersistentVolume: 'persistentvolumes',
};
