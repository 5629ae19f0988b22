/**
 * Discovery documents: `/version`, `/api`, `/apis`, `/apis/<group>/<version>` in the plain form,
 * and the aggregated `apidiscovery.k8s.io/v2` form kubectl asks for first.
 */
import { groupVersions, resourcesIn, type ResourceDescriptor } from './resources';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4-drill',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.8',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** The Content-Type of an aggregated discovery answer, by the version the client accepted. */
export function aggregatedDiscoveryContentType(version: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/** Which aggregated discovery version the `Accept` header asks for, if any (v2 preferred). */
export function acceptsAggregatedDiscovery(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  const entries = accept.split(',').map((entry) => entry.replace(/\s+/g, ''));
  const wanted = (version: string) =>
    entries.some((e) => e.includes('g=apidiscovery.k8s.io') && e.includes(`v=${version};`) && e.includes('as=APIGroupDiscoveryList')) ||
    entries.some((e) => e.includes('g=apidiscovery.k8s.io') && e.endsWith(`v=${version}`) && e.includes('as=APIGroupDiscoveryList'));
  if (wanted('v2')) return 'v2';
  if (wanted('v2beta1')) return 'v2beta1';
  return undefined;
}

const SERVER_ADDRESS = [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }];

/** `GET /api`. */
export function coreApiVersions(): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: SERVER_ADDRESS };
}

function apiGroup(group: string, versions: string[]): object {
  const groupVersionsList = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: groupVersionsList, preferredVersion: groupVersionsList[0] };
}

/** `GET /apis`. */
export function apiGroupList(): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupVersions()
      .filter((g) => g.group !== '')
      .map((g) => apiGroup(g.group, g.versions)),
  };
}

/** `GET /apis/<group>`; undefined when the group is not served. */
export function apiGroupDocument(group: string): object | undefined {
  const entry = groupVersions().find((g) => g.group === group && group !== '');
  return entry ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(entry.group, entry.versions) } : undefined;
}

/** `GET /api/v1` or `GET /apis/<group>/<version>`; undefined when not served. */
export function apiResourceList(group: string, version: string): object | undefined {
  const descriptors = resourcesIn(group, version);
  if (descriptors.length === 0) return undefined;
  const resources: object[] = [];
  for (const d of descriptors) {
    resources.push({
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: d.verbs,
      ...(d.shortNames.length > 0 ? { shortNames: d.shortNames } : {}),
      ...(d.categories.length > 0 ? { categories: d.categories } : {}),
    });
    for (const sub of d.subresources) {
      resources.push({
        name: `${d.plural}/${sub.name}`,
        singularName: '',
        namespaced: d.namespaced,
        ...(sub.group !== d.group || sub.version !== d.version ? { group: sub.group, version: sub.version } : {}),
        kind: sub.kind,
        verbs: sub.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function discoveryResource(d: ResourceDescriptor): object {
  return {
    resource: d.plural,
    responseKind: { group: d.group, version: d.version, kind: d.kind },
    scope: d.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: d.singular,
    verbs: d.verbs,
    ...(d.shortNames.length > 0 ? { shortNames: d.shortNames } : {}),
    ...(d.categories.length > 0 ? { categories: d.categories } : {}),
    ...(d.subresources.length > 0
      ? {
          subresources: d.subresources.map((sub) => ({
            subresource: sub.name,
            responseKind: { group: sub.group, version: sub.version, kind: sub.kind },
            verbs: sub.verbs,
          })),
        }
      : {}),
  };
}

/** Aggregated discovery for `/api` (core) or `/apis` (every named group). */
export function aggregatedDiscovery(scope: 'core' | 'apis', version: 'v2' | 'v2beta1'): object {
  const groups = groupVersions().filter((g) => (scope === 'core' ? g.group === '' : g.group !== ''));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: g.group === '' ? { creationTimestamp: null } : { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: resourcesIn(g.group, v).map(discoveryResource),
        freshness: 'Current',
      })),
    })),
  };
}
