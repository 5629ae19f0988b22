import { describe, expect, it } from 'vitest';
import { definitionSchema, fieldSetOf } from './field-set';
import { ApplyBodyError, ApplyConflictError, fieldManagerOf, parseApplyBody, recordUpdate, serverSideApply, type ManagedFieldsEntry } from './server-side-apply';
import type { KubeObject } from '../types';

const SCHEMA = definitionSchema('io.k8s.api.apps.v1.Deployment');
const NOW = Date.parse('2026-01-01T00:00:00Z');

function deployment(replicas: number, image = 'nginx:1.27', extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', labels: { app: 'web' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, ...extra }] } },
    },
  };
}

function apply(live: KubeObject | undefined, applied: KubeObject, manager: string, force = false): KubeObject {
  return serverSideApply({ live, applied, manager, force, apiVersion: 'apps/v1', schema: SCHEMA, now: NOW });
}

function managers(object: KubeObject): ManagedFieldsEntry[] {
  return object.metadata.managedFields as ManagedFieldsEntry[];
}

describe('field sets', () => {
  it('keys list-map items by their map keys and marks maps and items with "."', () => {
    const set = fieldSetOf({ spec: deployment(2).spec }, SCHEMA);
    expect(set).toEqual({
      'f:spec': {
        'f:replicas': {},
        'f:selector': { 'f:matchLabels': { '.': {}, 'f:app': {} } },
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    });
  });
});

describe('server-side apply', () => {
  it('creates with an Apply entry for the manager and no type meta, name or namespace in it', () => {
    const created = apply(undefined, deployment(2), 'kubectl');
    expect(managers(created)).toEqual([
      expect.objectContaining({ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1' }),
    ]);
    const fields = managers(created)[0]?.fieldsV1 as Record<string, Record<string, unknown>>;
    expect(Object.keys(fields)).toEqual(['f:metadata', 'f:spec']);
    expect(fields['f:metadata']).toEqual({ 'f:labels': { '.': {}, 'f:app': {} } });
  });

  it('reports a field another manager owns with another value as a conflict, and forcing takes it over', () => {
    const live = apply(undefined, deployment(2), 'kubectl');
    expect(() => apply(live, deployment(5), 'sre')).toThrow(ApplyConflictError);
    try {
      apply(live, deployment(5, 'nginx:1.28'), 'sre');
    } catch (error) {
      expect((error as ApplyConflictError).conflicts).toEqual([
        { manager: 'kubectl', apiVersion: 'apps/v1', field: '.spec.replicas' },
        { manager: 'kubectl', apiVersion: 'apps/v1', field: '.spec.template.spec.containers[name="web"].image' },
      ]);
      expect((error as Error).message).toBe(
        'Apply failed with 2 conflicts: conflicts with "kubectl" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
      );
    }
    const forced = apply(live, deployment(5), 'sre', true);
    expect((forced.spec as { replicas: number }).replicas).toBe(5);
    const [kubectl, sre] = managers(forced);
    expect(kubectl?.manager).toBe('kubectl');
    expect(kubectl?.fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
    expect(sre?.fieldsV1['f:spec']).toHaveProperty('f:replicas');
  });

  it('shares a field applied with the same value, without a conflict', () => {
    const live = apply(undefined, deployment(2), 'kubectl');
    const shared = apply(live, deployment(2), 'sre');
    expect(managers(shared).map((m) => m.manager)).toEqual(['kubectl', 'sre']);
    expect(managers(shared)[0]?.fieldsV1['f:spec']).toHaveProperty('f:replicas');
  });

  it('lets two managers own different entries of one map (labels) without a conflict', () => {
    const live = apply(undefined, deployment(2), 'kubectl');
    const other: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { team: 'sre' } } };
    const shared = apply(live, other, 'sre');
    expect(shared.metadata.labels).toEqual({ app: 'web', team: 'sre' });
    expect(managers(shared)[1]?.fieldsV1).toEqual({ 'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } } });
  });

  it('removes what the same manager applied before and no longer applies, keeping list items by key', () => {
    const live = apply(undefined, deployment(2, 'nginx:1.27', { command: ['run'] }), 'kubectl');
    const next = apply(live, deployment(2), 'kubectl');
    const container = (next.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0];
    expect(container).toEqual({ name: 'web', image: 'nginx:1.27' });
  });

  it('lets kubectl take over what it applied client-side (its last-applied-configuration), but not another manager', () => {
    const live = deployment(2);
    live.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(deployment(2)) };
    live.metadata.managedFields = recordUpdate(undefined, live, 'kubectl-client-side-apply', 'apps/v1', SCHEMA, NOW);
    expect((apply(live, deployment(3), 'kubectl').spec as { replicas: number }).replicas).toBe(3);
    expect(() => apply(live, deployment(3), 'sre')).toThrow('conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
  });

  it('refuses apply bodies with managedFields or that are not objects', () => {
    expect(() => parseApplyBody(Buffer.from('- a\n- b\n'))).toThrow(ApplyBodyError);
    expect(() => parseApplyBody(Buffer.from('metadata: {managedFields: []}'))).toThrow('metadata.managedFields must be nil');
    expect(parseApplyBody(Buffer.from('{"kind":"Deployment"}'))).toEqual({ kind: 'Deployment' });
  });
});

describe('Update operations', () => {
  it('give the writer the fields it changed and take them from the applier', () => {
    const live = apply(undefined, deployment(2), 'kubectl');
    const edited = deployment(3);
    edited.metadata.managedFields = recordUpdate(live, edited, 'kubectl-edit', 'apps/v1', SCHEMA, NOW);
    const [applier, editor] = managers(edited);
    expect(applier?.fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
    expect(editor).toMatchObject({ manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
    expect(() => apply(edited, deployment(2), 'kubectl')).toThrow('conflict with "kubectl-edit" using apps/v1: .spec.replicas');
  });

  it('through a subresource are owners of their own, named with it in conflicts, even for the same manager name', () => {
    const live = apply(undefined, deployment(2), 'kubectl');
    const scaled = deployment(4);
    scaled.metadata.managedFields = recordUpdate(live, scaled, 'kubectl', 'apps/v1', SCHEMA, NOW, 'scale');
    expect(managers(scaled).at(-1)).toMatchObject({ manager: 'kubectl', operation: 'Update', subresource: 'scale', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
    expect(() => apply(scaled, deployment(2), 'kubectl')).toThrow('conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
  });

  it('name the manager by ?fieldManager=, else by the User-Agent program', () => {
    expect(fieldManagerOf(new URLSearchParams('fieldManager=kubectl-edit'), 'kubectl/v1.32.4 (linux/amd64)')).toBe('kubectl-edit');
    expect(fieldManagerOf(new URLSearchParams(), 'kubectl/v1.32.4 (linux/amd64) kubernetes/abc')).toBe('kubectl');
    expect(fieldManagerOf(new URLSearchParams(), undefined)).toBe('unknown');
  });

  it('start from managedFields the client wrote (the client-side apply upgrade), and [{}] clears them', () => {
    const live = apply(undefined, deployment(2), 'kubectl');
    const upgraded = deployment(2);
    upgraded.metadata.managedFields = managers(live).map((entry) => ({ ...entry, manager: 'renamed' }));
    expect(recordUpdate(live, upgraded, 'kubectl', 'apps/v1', SCHEMA, NOW).map((e) => e.manager)).toEqual(['renamed']);
    const cleared = deployment(2);
    cleared.metadata.managedFields = [{}];
    expect(recordUpdate(live, cleared, 'kubectl', 'apps/v1', SCHEMA, NOW)).toEqual([]);
  });
});
