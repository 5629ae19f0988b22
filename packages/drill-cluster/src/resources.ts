/**
 * One descriptor per kind the drill cluster serves (after Headlamp's per-kind descriptors):
 * where it lives in the API, what it may do, and where the store keeps it.
 */
import type { ResourceKey } from './types';

export type SubresourceName = 'status' | 'scale' | 'log' | 'exec' | 'attach' | 'portforward' | 'eviction';

export interface SubresourceDescriptor {
  name: SubresourceName;
  kind: string;
  group: string;
  version: string;
  verbs: string[];
}

export interface ResourceDescriptor {
  /** '' for the core group. */
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  verbs: string[];
  categories: string[];
  subresources: SubresourceDescriptor[];
  /** Where the store keeps these objects; differs from `key` for a second version of a kind. */
  storageKey: ResourceKey;
  /** Served from the world (metrics), not from the store. */
  computed?: 'nodeMetrics' | 'podMetrics' | 'selfReview';
}

const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const READ_ONLY = ['get', 'list'];
const STATUS_VERBS = ['get', 'patch', 'update'];

/** `group/version/plural` (or `version/plural` for the core group). */
export function resourceKeyOf(group: string, version: string, plural: string): ResourceKey {
  return group ? `${group}/${version}/${plural}` : `${version}/${plural}`;
}

/** `v1`, `apps/v1`: the apiVersion objects of this group and version carry. */
export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

interface DescriptorInput {
  group?: string;
  version?: string;
  kind: string;
  plural: string;
  shortNames?: string[];
  namespaced?: boolean;
  verbs?: string[];
  categories?: string[];
  subresources?: Array<SubresourceName>;
  storageKey?: ResourceKey;
  computed?: ResourceDescriptor['computed'];
}

function subresource(owner: { group: string; version: string; kind: string }, name: SubresourceName): SubresourceDescriptor {
  switch (name) {
    case 'status':
      return { name, kind: owner.kind, group: owner.group, version: owner.version, verbs: STATUS_VERBS };
    case 'scale':
      return { name, kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: STATUS_VERBS };
    case 'log':
      return { name, kind: 'Pod', group: '', version: 'v1', verbs: ['get'] };
    case 'eviction':
      return { name, kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] };
    case 'exec':
    case 'attach':
    case 'portforward':
      return {
        name,
        kind: name === 'portforward' ? 'PodPortForwardOptions' : name === 'exec' ? 'PodExecOptions' : 'PodAttachOptions',
        group: '',
        version: 'v1',
        verbs: ['create', 'get'],
      };
  }
}

function describe(input: DescriptorInput): ResourceDescriptor {
  const group = input.group ?? '';
  const version = input.version ?? 'v1';
  const owner = { group, version, kind: input.kind };
  return {
    group,
    version,
    kind: input.kind,
    plural: input.plural,
    singular: input.kind.toLowerCase(),
    shortNames: input.shortNames ?? [],
    namespaced: input.namespaced ?? true,
    verbs: input.verbs ?? READ_WRITE,
    categories: input.categories ?? [],
    subresources: (input.subresources ?? []).map((name) => subresource(owner, name)),
    storageKey: input.storageKey ?? resourceKeyOf(group, version, input.plural),
    ...(input.computed ? { computed: input.computed } : {}),
  };
}

/** Store keys of the kinds the world seeds and the server serves. */
export const RESOURCE_KEYS = {
  namespaces: 'v1/namespaces',
  nodes: 'v1/nodes',
  pods: 'v1/pods',
  services: 'v1/services',
  endpoints: 'v1/endpoints',
  endpointslices: 'discovery.k8s.io/v1/endpointslices',
  secrets: 'v1/secrets',
  configmaps: 'v1/configmaps',
  events: 'v1/events',
  persistentvolumes: 'v1/persistentvolumes',
  persistentvolumeclaims: 'v1/persistentvolumeclaims',
  serviceaccounts: 'v1/serviceaccounts',
  deployments: 'apps/v1/deployments',
  replicasets: 'apps/v1/replicasets',
  statefulsets: 'apps/v1/statefulsets',
  jobs: 'batch/v1/jobs',
  cronjobs: 'batch/v1/cronjobs',
  horizontalpodautoscalers: 'autoscaling/v2/horizontalpodautoscalers',
  poddisruptionbudgets: 'policy/v1/poddisruptionbudgets',
  certificates: 'cert-manager.io/v1/certificates',
  customresourcedefinitions: 'apiextensions.k8s.io/v1/customresourcedefinitions',
} as const satisfies Record<string, ResourceKey>;

/** Every kind the drill cluster serves, grouped by API group and version in discovery order. */
export const RESOURCES: readonly ResourceDescriptor[] = [
  describe({ kind: 'Namespace', plural: 'namespaces', shortNames: ['ns'], namespaced: false, subresources: ['status'] }),
  describe({ kind: 'Node', plural: 'nodes', shortNames: ['no'], namespaced: false, subresources: ['status'] }),
  describe({
    kind: 'Pod',
    plural: 'pods',
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'log', 'exec', 'attach', 'portforward', 'eviction'],
  }),
  describe({ kind: 'Service', plural: 'services', shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  describe({ kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'] }),
  describe({ kind: 'Secret', plural: 'secrets' }),
  describe({ kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'] }),
  describe({ kind: 'Event', plural: 'events', shortNames: ['ev'] }),
  describe({ kind: 'PersistentVolume', plural: 'persistentvolumes', shortNames: ['pv'], namespaced: false, subresources: ['status'] }),
  describe({ kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', shortNames: ['pvc'], subresources: ['status'] }),
  describe({ kind: 'ServiceAccount', plural: 'serviceaccounts', shortNames: ['sa'] }),
  describe({
    group: 'apps',
    kind: 'Deployment',
    plural: 'deployments',
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  describe({
    group: 'apps',
    kind: 'ReplicaSet',
    plural: 'replicasets',
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  describe({
    group: 'apps',
    kind: 'StatefulSet',
    plural: 'statefulsets',
    shortNames: ['sts'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  describe({ group: 'batch', kind: 'Job', plural: 'jobs', categories: ['all'], subresources: ['status'] }),
  describe({ group: 'batch', kind: 'CronJob', plural: 'cronjobs', shortNames: ['cj'], categories: ['all'], subresources: ['status'] }),
  describe({
    group: 'autoscaling',
    version: 'v2',
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: ['status'],
  }),
  describe({
    group: 'autoscaling',
    version: 'v1',
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: ['status'],
    storageKey: RESOURCE_KEYS.horizontalpodautoscalers,
  }),
  describe({ group: 'discovery.k8s.io', kind: 'EndpointSlice', plural: 'endpointslices' }),
  describe({ group: 'policy', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', shortNames: ['pdb'], subresources: ['status'] }),
  describe({
    group: 'apiextensions.k8s.io',
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    shortNames: ['crd', 'crds'],
    namespaced: false,
    categories: ['api-extensions'],
    subresources: ['status'],
  }),
  describe({
    group: 'cert-manager.io',
    kind: 'Certificate',
    plural: 'certificates',
    shortNames: ['cert', 'certs'],
    categories: ['cert-manager'],
    subresources: ['status'],
  }),
  // `kubectl auth can-i` and `auth whoami`: answered, never stored; the drill's token may do everything.
  describe({ group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'], computed: 'selfReview' }),
  describe({ group: 'authentication.k8s.io', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: ['create'], computed: 'selfReview' }),
  describe({
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    kind: 'NodeMetrics',
    plural: 'nodes',
    namespaced: false,
    verbs: READ_ONLY,
    computed: 'nodeMetrics',
  }),
  describe({
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    kind: 'PodMetrics',
    plural: 'pods',
    verbs: READ_ONLY,
    computed: 'podMetrics',
  }),
];

/** The group versions in discovery order; the first version of a group is its preferred one. */
export function groupVersions(): Array<{ group: string; versions: string[] }> {
  const groups: Array<{ group: string; versions: string[] }> = [];
  for (const descriptor of RESOURCES) {
    let entry = groups.find((g) => g.group === descriptor.group);
    if (!entry) {
      entry = { group: descriptor.group, versions: [] };
      groups.push(entry);
    }
    if (!entry.versions.includes(descriptor.version)) entry.versions.push(descriptor.version);
  }
  return groups;
}

/** The descriptor for a plural in a group version, e.g. (`apps`, `v1`, `deployments`). */
export function findResource(group: string, version: string, plural: string): ResourceDescriptor | undefined {
  return RESOURCES.find((d) => d.group === group && d.version === version && d.plural === plural);
}

/** The descriptors served in one group version. */
export function resourcesIn(group: string, version: string): ResourceDescriptor[] {
  return RESOURCES.filter((d) => d.group === group && d.version === version);
}

/** The descriptor whose objects the store keeps under `storageKey` (its own version, not an alias). */
export function descriptorForStorageKey(storageKey: ResourceKey): ResourceDescriptor | undefined {
  return RESOURCES.find((d) => d.storageKey === storageKey && resourceKeyOf(d.group, d.version, d.plural) === storageKey);
}
