import { describe, expect, it } from 'vitest';
import { acceptsAggregatedDiscovery, aggregatedDiscovery, apiGroupDocument, apiResourceList } from './discovery';
import { descriptorForStorageKey, findResource, groupVersions, RESOURCE_KEYS, RESOURCES, resourceKeyOf } from './resources';

describe('resource descriptors', () => {
  it('store every kind the world seeds under the key RESOURCE_KEYS names', () => {
    for (const key of Object.values(RESOURCE_KEYS)) {
      expect(descriptorForStorageKey(key), key).toBeDefined();
    }
  });

  it('serve autoscaling v1 from the v2 storage', () => {
    expect(findResource('autoscaling', 'v1', 'horizontalpodautoscalers')?.storageKey).toBe(RESOURCE_KEYS.horizontalpodautoscalers);
    expect(groupVersions().find((g) => g.group === 'autoscaling')?.versions).toEqual(['v2', 'v1']);
  });

  it('have unique group/version/plural keys', () => {
    const keys = RESOURCES.map((d) => resourceKeyOf(d.group, d.version, d.plural));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('discovery documents', () => {
  it('recognises the aggregated discovery Accept header kubectl sends', () => {
    expect(
      acceptsAggregatedDiscovery(
        'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
      ),
    ).toBe('v2');
    expect(acceptsAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList')).toBe('v2beta1');
    expect(acceptsAggregatedDiscovery('application/json, */*')).toBeUndefined();
  });

  it('lists subresources and read-only metrics verbs', () => {
    const core = apiResourceList('', 'v1') as { resources: Array<{ name: string; verbs: string[] }> };
    expect(core.resources.find((r) => r.name === 'pods/portforward')?.verbs).toEqual(['create', 'get']);
    const metrics = apiResourceList('metrics.k8s.io', 'v1beta1') as { resources: Array<{ name: string; verbs: string[]; namespaced: boolean }> };
    expect(metrics.resources).toEqual([
      expect.objectContaining({ name: 'nodes', verbs: ['get', 'list'], namespaced: false }),
      expect.objectContaining({ name: 'pods', verbs: ['get', 'list'], namespaced: true }),
    ]);
    expect(apiResourceList('nope', 'v1')).toBeUndefined();
    expect(apiGroupDocument('cert-manager.io')).toMatchObject({ kind: 'APIGroup', name: 'cert-manager.io', preferredVersion: { version: 'v1' } });
  });

  it('aggregates the core group under /api and the named groups under /apis', () => {
    const core = aggregatedDiscovery('core', 'v2') as { items: Array<{ metadata: { name?: string }; versions: Array<{ version: string }> }> };
    expect(core.items).toHaveLength(1);
    expect(core.items[0]?.versions[0]?.version).toBe('v1');
    const apis = aggregatedDiscovery('apis', 'v2') as {
      apiVersion: string;
      items: Array<{ metadata: { name: string }; versions: Array<{ resources: Array<{ resource: string; subresources?: Array<{ subresource: string }> }> }> }>;
    };
    expect(apis.apiVersion).toBe('apidiscovery.k8s.io/v2');
    const deployments = apis.items.find((g) => g.metadata.name === 'apps')?.versions[0]?.resources.find((r) => r.resource === 'deployments');
    expect(deployments?.subresources?.map((s) => s.subresource)).toEqual(['status', 'scale']);
  });
});
