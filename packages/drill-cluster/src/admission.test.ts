import { describe, expect, it } from 'vitest';
import { applyDefaults, isQuantity, validateObject } from './admission';
import type { KubeObject } from './types';

function deployment(patch: Record<string, unknown> = {}, containers: unknown[] = [{ name: 'api', image: 'x:1' }]): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'codesign-api' },
    spec: { replicas: 3, template: { spec: { containers } }, ...patch },
  };
}

const fields = (object: KubeObject) => validateObject(object.kind, object).map((c) => `${c.field}: ${c.message}`);

describe('validation', () => {
  it('accepts a well-formed deployment', () => {
    expect(validateObject('Deployment', deployment())).toEqual([]);
  });

  it('requires a name and a DNS-compatible one', () => {
    expect(fields({ ...deployment(), metadata: { name: '' } })).toContain('metadata.name: Required value');
    expect(fields({ ...deployment(), metadata: { name: 'Bad_Name' } })[0]).toMatch(/^metadata.name: Invalid value/);
    expect(validateObject('Deployment', { ...deployment(), metadata: { name: '', generateName: 'x-' } })).toEqual([]);
  });

  it('refuses negative and non-integer replica counts', () => {
    expect(fields(deployment({ replicas: -1 }))).toEqual(['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
    expect(fields(deployment({ replicas: 1.5 }))).toEqual(['spec.replicas: Invalid value: 1.5: must be an integer']);
  });

  it('refuses duplicate container names, missing images and bad quantities', () => {
    const causes = fields(
      deployment({}, [
        { name: 'api', image: 'x:1', resources: { limits: { memory: '3 gigs' } } },
        { name: 'api', image: '' },
      ]),
    );
    expect(causes).toEqual([
      'spec.template.spec.containers[0].resources.limits[memory]: Invalid value: "3 gigs": must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
      'spec.template.spec.containers[1].name: Duplicate value: "api"',
      'spec.template.spec.containers[1].image: Required value',
    ]);
  });

  it('parses resource quantities like the API server', () => {
    for (const ok of ['3Gi', '512Mi', '250m', '1', '0.5', '1e3', '2k', 4]) expect(isQuantity(ok), String(ok)).toBe(true);
    for (const bad of ['3 gigs', 'Gi', '1GB', '', '--1']) expect(isQuantity(bad), bad).toBe(false);
  });

  it('refuses secret data that is not base64, without echoing the secret', () => {
    const causes = validateObject('Secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'not base64!' } });
    expect(causes).toHaveLength(1);
    expect(causes[0]?.message).not.toContain('not base64!');
  });

  it('checks HPA replica bounds', () => {
    const hpa: KubeObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { minReplicas: 5, maxReplicas: 3 } };
    expect(fields(hpa)).toEqual(['spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`']);
  });
});

describe('defaults', () => {
  it('folds secret stringData into base64 data and defaults the type', () => {
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { b: 'y' } };
    applyDefaults('Secret', secret);
    expect(secret).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { a: 'eA==', b: 'eQ==' } });
  });

  it('defaults a deployment strategy and a service cluster IP', () => {
    const d = deployment();
    delete (d.spec as Record<string, unknown>).replicas;
    applyDefaults('Deployment', d);
    expect(d.spec).toMatchObject({ replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate' } });
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } };
    applyDefaults('Service', svc);
    expect(svc.spec).toMatchObject({ type: 'ClusterIP', clusterIP: expect.stringMatching(/^10\.96\./), ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
  });
});
