import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, applyPatch, applyStrategicMergePatch, PatchError, patchTypeOf } from './patch';

function deployment() {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'codesign-api', labels: { app: 'codesign-api' }, finalizers: ['a'] },
    spec: {
      replicas: 3,
      template: {
        metadata: { labels: { app: 'codesign-api' } },
        spec: {
          containers: [
            {
              name: 'codesign-api',
              image: 'codesign-playground:v2.0.3',
              env: [
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'CACHE_SIZE_MB', value: '256' },
              ],
              ports: [{ containerPort: 8000, name: 'http' }],
              resources: { limits: { memory: '2Gi', cpu: '1' }, requests: { memory: '1Gi' } },
              volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
            },
            { name: 'sidecar', image: 'envoy:1.30' },
          ],
          volumes: [{ name: 'config', configMap: { name: 'codesign-config' } }],
        },
      },
    },
  };
}

type Deployment = ReturnType<typeof deployment>;
const container = (d: Deployment, name: string) => d.spec.template.spec.containers.find((c) => c.name === name);

describe('strategic merge patch', () => {
  it('merges containers by name and keeps the fields the patch does not name (runbook memory patch)', () => {
    const patched = applyStrategicMergePatch(deployment(), {
      spec: { template: { spec: { containers: [{ name: 'codesign-api', resources: { limits: { memory: '3Gi' } } }] } } },
    });
    const api = container(patched, 'codesign-api');
    expect(api?.resources).toEqual({ limits: { memory: '3Gi', cpu: '1' }, requests: { memory: '1Gi' } });
    expect(api?.image).toBe('codesign-playground:v2.0.3');
    expect(api?.env).toHaveLength(2);
    expect(container(patched, 'sidecar')?.image).toBe('envoy:1.30');
  });

  it('merges env by name: updates one, adds another (kubectl set env)', () => {
    const patched = applyStrategicMergePatch(deployment(), {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'codesign-api',
                env: [
                  { name: 'CACHE_SIZE_MB', value: '512' },
                  { name: 'CIRCUIT_BREAKER_ENABLED', value: 'true' },
                ],
              },
            ],
          },
        },
      },
    });
    expect(container(patched, 'codesign-api')?.env).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'CACHE_SIZE_MB', value: '512' },
      { name: 'CIRCUIT_BREAKER_ENABLED', value: 'true' },
    ]);
  });

  it('deletes a list element with $patch: delete', () => {
    const patched = applyStrategicMergePatch(deployment(), {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'codesign-api', env: [{ name: 'LOG_LEVEL', $patch: 'delete' }] }, { name: 'sidecar', $patch: 'delete' }],
          },
        },
      },
    });
    expect(patched.spec.template.spec.containers.map((c) => c.name)).toEqual(['codesign-api']);
    expect(container(patched, 'codesign-api')?.env).toEqual([{ name: 'CACHE_SIZE_MB', value: '256' }]);
  });

  it('replaces a list with a $patch: replace element, and a map with $patch: replace', () => {
    const list = applyStrategicMergePatch(deployment(), {
      spec: { template: { spec: { volumes: [{ $patch: 'replace' }, { name: 'data', emptyDir: {} }] } } },
    });
    expect(list.spec.template.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    const map = applyStrategicMergePatch(deployment(), {
      metadata: { labels: { $patch: 'replace', tier: 'web' } },
    });
    expect(map.metadata.labels).toEqual({ tier: 'web' });
  });

  it('deletes keys set to null, merges ports by containerPort and finalizers as a set', () => {
    const patched = applyStrategicMergePatch(deployment(), {
      metadata: { labels: { app: null }, finalizers: ['b'] },
      spec: { template: { spec: { containers: [{ name: 'codesign-api', ports: [{ containerPort: 9090, name: 'metrics' }] }] } } },
    });
    expect(patched.metadata.labels).toEqual({});
    expect(patched.metadata.finalizers).toEqual(['a', 'b']);
    expect(container(patched, 'codesign-api')?.ports).toEqual([
      { containerPort: 8000, name: 'http' },
      { containerPort: 9090, name: 'metrics' },
    ]);
  });

  it('tolerates $setElementOrder and honours $retainKeys and $deleteFromPrimitiveList', () => {
    const patched = applyStrategicMergePatch(deployment(), {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'codesign-api' }, { name: 'sidecar' }],
            containers: [{ name: 'sidecar', image: 'envoy:1.31' }],
          },
        },
        strategy: { $retainKeys: ['type'], type: 'Recreate' },
      },
    });
    expect(patched.metadata.finalizers).toEqual([]);
    expect(container(patched, 'sidecar')?.image).toBe('envoy:1.31');
    expect((patched.spec as Record<string, unknown>).strategy).toEqual({ type: 'Recreate' });
  });

  it('adds a pod template annotation (kubectl rollout restart) without touching the rest', () => {
    const patched = applyStrategicMergePatch(deployment(), {
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } } } },
    });
    expect(patched.spec.template.metadata).toEqual({
      labels: { app: 'codesign-api' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' },
    });
  });

  it('refuses a keyed list element without its merge key', () => {
    expect(() =>
      applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }),
    ).toThrow(PatchError);
  });

  it('does not modify its input', () => {
    const original = deployment();
    applyStrategicMergePatch(original, { spec: { replicas: 9 } });
    expect(original.spec.replicas).toBe(3);
  });
});

describe('JSON merge patch', () => {
  it('replaces lists wholesale, merges maps and deletes nulls', () => {
    const patched = applyMergePatch(deployment(), {
      metadata: { labels: { app: null, tier: 'web' } },
      spec: { replicas: 5, template: { spec: { containers: [{ name: 'only', image: 'x' }] } } },
    });
    expect(patched.metadata.labels).toEqual({ tier: 'web' });
    expect(patched.spec.replicas).toBe(5);
    expect(patched.spec.template.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
    expect(patched.spec.template.spec.volumes).toHaveLength(1);
  });
});

describe('JSON patch', () => {
  it('applies add, replace, remove and test operations', () => {
    const patched = applyJsonPatch(deployment(), [
      { op: 'test', path: '/spec/replicas', value: 3 },
      { op: 'replace', path: '/spec/replicas', value: 4 },
      { op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'MAX_WORKERS', value: '12' } },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
    ]);
    expect(patched.spec.replicas).toBe(4);
    expect(patched.spec.template.spec.containers).toHaveLength(1);
    expect(patched.spec.template.spec.containers[0]?.env?.[2]).toEqual({ name: 'MAX_WORKERS', value: '12' });
  });

  it('fails a failing test operation and a path that does not exist', () => {
    expect(() => applyJsonPatch(deployment(), [{ op: 'test', path: '/spec/replicas', value: 9 }])).toThrow(PatchError);
    expect(() => applyJsonPatch(deployment(), [{ op: 'replace', path: '/spec/nothing/here', value: 1 }])).toThrow(PatchError);
    expect(() => applyJsonPatch(deployment(), { op: 'add' })).toThrow(PatchError);
  });
});

describe('patch content types', () => {
  it('maps the three content types and refuses apply patches', () => {
    expect(patchTypeOf('application/strategic-merge-patch+json')).toBe('strategic');
    expect(patchTypeOf('application/merge-patch+json; charset=utf-8')).toBe('merge');
    expect(patchTypeOf('application/json-patch+json')).toBe('json');
    expect(patchTypeOf('application/apply-patch+yaml')).toBeUndefined();
    expect(applyPatch('merge', { a: 1 }, { b: 2 })).toEqual({ a: 1, b: 2 });
  });
});
