import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RESOURCE_KEYS } from './resources';
import { DrillApiServer } from './server';
import { MemoryObjectStore } from './store';
import type { KubeObject } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are probed field by field
type Json = any;

const TOKEN = 'unit-token';
const NS = 'codesign-production';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

let store: MemoryObjectStore;
let server: DrillApiServer;

interface Answer {
  status: number;
  contentType: string;
  body: Json;
  text: string;
}

async function call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {}): Promise<Answer> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.token !== null) headers.Authorization = `Bearer ${options.token ?? TOKEN}`;
  if (options.body !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body, text };
}

/** Reads a watch stream until `count` events arrived (or the stream ends). */
async function watchEvents(path: string, count: number, accept = 'application/json'): Promise<Array<{ type: string; object: Json }>> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}`, Accept: accept }, signal: controller.signal });
  const reader = response.body?.getReader();
  const events: Array<{ type: string; object: Json }> = [];
  let buffered = '';
  const decoder = new TextDecoder();
  while (reader && events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      events.push(JSON.parse(buffered.slice(0, newline)));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  }
  controller.abort();
  return events;
}

function pod(name: string, labels: Record<string, string> = { app: 'codesign-api' }, phase = 'Running'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels },
    spec: { containers: [{ name: 'codesign-api', image: 'codesign-playground:v2.0.3' }] },
    status: { phase },
  };
}

beforeEach(async () => {
  store = new MemoryObjectStore({ historySize: 20 });
  store.create(RESOURCE_KEYS.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  store.create(RESOURCE_KEYS.pods, pod('api-1'));
  store.create(RESOURCE_KEYS.pods, pod('api-2', { app: 'codesign-api' }, 'Pending'));
  store.create(RESOURCE_KEYS.pods, pod('worker-1', { app: 'celery-worker' }));
  store.create(RESOURCE_KEYS.deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'codesign-api', namespace: NS },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'codesign-api' } },
      template: { metadata: { labels: { app: 'codesign-api' } }, spec: { containers: [{ name: 'codesign-api', image: 'x:1' }] } },
    },
    status: { replicas: 3, readyReplicas: 3 },
  });
  server = await DrillApiServer.listen({ store, token: TOKEN, bookmarkIntervalMs: 50 });
});

afterEach(async () => {
  await server.close();
});

describe('auth and routing', () => {
  it('answers 401 Unauthorized without the token or with a wrong one', async () => {
    for (const token of [null, 'wrong', `${TOKEN}x`]) {
      const answer = await call('GET', '/api/v1/pods', { token });
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
  });

  it('serves /version and answers unknown paths with a NotFound Status', async () => {
    expect((await call('GET', '/version')).body).toMatchObject({ major: '1', minor: '32' });
    const missing = await call('GET', '/apis/nope.example.com/v1/widgets');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'the server could not find the requested resource' });
    expect((await call('GET', '/openapi/v3/apis/nope.example.com/v1')).status).toBe(404);
    expect((await call('POST', '/api')).status).toBe(405);
  });
});

describe('discovery', () => {
  it('answers plain discovery documents', async () => {
    expect((await call('GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await call('GET', '/apis')).body as { groups: Array<{ name: string; preferredVersion: { version: string } }> };
    const names = groups.groups.map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(['apps', 'batch', 'autoscaling', 'metrics.k8s.io', 'cert-manager.io', 'apiextensions.k8s.io']));
    expect(groups.groups.find((g) => g.name === 'autoscaling')?.preferredVersion.version).toBe('v2');
    const appsV1 = (await call('GET', '/apis/apps/v1')).body as { resources: Array<{ name: string; kind: string; verbs: string[]; shortNames?: string[] }> };
    expect(appsV1.resources.find((r) => r.name === 'deployments')).toMatchObject({ kind: 'Deployment', shortNames: ['deploy'] });
    expect(appsV1.resources.find((r) => r.name === 'deployments/scale')).toMatchObject({ kind: 'Scale', group: 'autoscaling', version: 'v1' });
    const coreV1 = (await call('GET', '/api/v1')).body as { resources: Array<{ name: string }> };
    expect(coreV1.resources.map((r) => r.name)).toEqual(expect.arrayContaining(['pods/log', 'pods/exec', 'pods/portforward', 'pods/attach', 'pods/status']));
  });

  it('answers aggregated discovery when the client asks for it', async () => {
    const answer = await call('GET', '/apis', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
    expect(answer.contentType).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const certManager = (answer.body.items as Array<{ metadata: { name: string }; versions: Array<{ resources: Array<{ resource: string; scope: string }> }> }>).find(
      (g) => g.metadata.name === 'cert-manager.io',
    );
    expect(certManager?.versions[0]?.resources[0]).toMatchObject({ resource: 'certificates', scope: 'Namespaced' });
  });
});

describe('reads', () => {
  it('gets one object and 404s a missing one with a kubectl-style message', async () => {
    expect((await call('GET', `/api/v1/namespaces/${NS}/pods/api-1`)).body).toMatchObject({ kind: 'Pod', metadata: { name: 'api-1' } });
    const missing = await call('GET', `/api/v1/namespaces/${NS}/pods/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ message: 'pods "nope" not found', details: { name: 'nope', kind: 'pods' } });
  });

  it('lists with label and field selectors, in one namespace or all', async () => {
    const names = async (query: string) =>
      ((await call('GET', `/api/v1/namespaces/${NS}/pods?${query}`)).body.items as KubeObject[]).map((p) => p.metadata.name);
    expect(await names('labelSelector=app%3Dcodesign-api')).toEqual(['api-1', 'api-2']);
    expect(await names('labelSelector=app%3Dcodesign-api&fieldSelector=status.phase!%3DRunning')).toEqual(['api-2']);
    expect(await names('labelSelector=app%20in%20(celery-worker)')).toEqual(['worker-1']);
    const all = await call('GET', '/api/v1/pods');
    expect(all.body).toMatchObject({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(store.resourceVersion) } });
    expect(all.body.items).toHaveLength(3);
    const bad = await call('GET', `/api/v1/namespaces/${NS}/pods?fieldSelector=spec.containers%3Dx`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('field label not supported: spec.containers');
  });

  it('pages with limit and continue', async () => {
    const first = await call('GET', `/api/v1/namespaces/${NS}/pods?limit=2`);
    expect(first.body.items.map((p: KubeObject) => p.metadata.name)).toEqual(['api-1', 'api-2']);
    expect(first.body.metadata.remainingItemCount).toBe(1);
    const second = await call('GET', `/api/v1/namespaces/${NS}/pods?limit=2&continue=${first.body.metadata.continue}`);
    expect(second.body.items.map((p: KubeObject) => p.metadata.name)).toEqual(['worker-1']);
    expect(second.body.metadata.continue).toBeUndefined();
    expect((await call('GET', `/api/v1/namespaces/${NS}/pods?limit=2&continue=garbage`)).status).toBe(400);
  });

  it('pages through many objects, with and without a selector, in the same order as one list', async () => {
    for (let i = 0; i < 25; i++) store.create(RESOURCE_KEYS.pods, pod(`bulk-${String(i).padStart(2, '0')}`, { app: i % 2 ? 'odd' : 'even' }));
    const pages = async (query: string) => {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await call('GET', `/api/v1/namespaces/${NS}/pods?limit=4&${query}${token ? `&continue=${token}` : ''}`);
        names.push(...page.body.items.map((p: KubeObject) => p.metadata.name));
        token = page.body.metadata.continue;
      } while (token);
      return names;
    };
    const whole = (query: string) => call('GET', `/api/v1/namespaces/${NS}/pods?${query}`).then((a) => a.body.items.map((p: KubeObject) => p.metadata.name));
    expect(await pages('')).toEqual(await whole(''));
    expect(await pages('')).toHaveLength(28);
    expect(await pages('labelSelector=app%3Dodd')).toEqual(await whole('labelSelector=app%3Dodd'));
    expect(await pages('labelSelector=app%3Dodd')).toHaveLength(12);
  });

  it('lists what the store holds now, after updates, creates and deletes', async () => {
    const list = async () => (await call('GET', `/api/v1/namespaces/${NS}/pods`)).text;
    const before = JSON.parse(await list());
    expect(before.items.map((p: KubeObject) => p.metadata.name)).toEqual(['api-1', 'api-2', 'worker-1']);
    store.mutate(RESOURCE_KEYS.pods, NS, 'api-2', (p) => void (p.status = { phase: 'Running' }));
    store.create(RESOURCE_KEYS.pods, pod('api-0'));
    store.delete(RESOURCE_KEYS.pods, NS, 'worker-1');
    const text = await list();
    const after = JSON.parse(text);
    expect(after.items.map((p: KubeObject) => `${p.metadata.name}:${(p.status as { phase: string }).phase}`)).toEqual(['api-0:Running', 'api-1:Running', 'api-2:Running']);
    expect(after.metadata.resourceVersion).toBe(String(store.resourceVersion));
    expect(after.items[1]).toEqual(before.items[0]);
    expect(text).toBe(JSON.stringify(after));
  });

  it('answers Tables with the pod columns, and honours includeObject', async () => {
    const table = await call('GET', `/api/v1/namespaces/${NS}/pods`, { headers: { Accept: TABLE } });
    expect(table.body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(table.body.columnDefinitions.slice(0, 5).map((c: { name: string }) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    expect(table.body.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata' });
    const withObject = await call('GET', `/api/v1/namespaces/${NS}/pods?includeObject=Object`, { headers: { Accept: TABLE } });
    expect(withObject.body.rows[0].object).toMatchObject({ kind: 'Pod', spec: {} });
    const none = await call('GET', `/api/v1/namespaces/${NS}/pods/api-1?includeObject=None`, { headers: { Accept: TABLE } });
    expect(none.body.rows[0]).not.toHaveProperty('object');
  });

  it('answers PartialObjectMetadataList when asked', async () => {
    const answer = await call('GET', `/api/v1/namespaces/${NS}/pods`, {
      headers: { Accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' },
    });
    expect(answer.body.kind).toBe('PartialObjectMetadataList');
    expect(answer.body.items[0]).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: expect.objectContaining({ name: 'api-1' }) });
  });

  it('serves the scale subresource as autoscaling/v1 Scale', async () => {
    const scale = await call('GET', `/apis/apps/v1/namespaces/${NS}/deployments/codesign-api/scale`);
    expect(scale.body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 3 }, status: { replicas: 3, selector: 'app=codesign-api' } });
  });

  it('presents autoscaling/v2 HPAs to autoscaling/v1 clients', async () => {
    store.create(RESOURCE_KEYS.horizontalpodautoscalers, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'hpa', namespace: NS },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'codesign-api' },
        minReplicas: 3,
        maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      },
      status: { currentReplicas: 3, desiredReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } }] },
    });
    const v1 = await call('GET', `/apis/autoscaling/v1/namespaces/${NS}/horizontalpodautoscalers/hpa`);
    expect(v1.body).toMatchObject({
      apiVersion: 'autoscaling/v1',
      spec: { minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 },
      status: { currentCPUUtilizationPercentage: 40 },
    });
    const listed = async () => (await call('GET', `/apis/autoscaling/v1/namespaces/${NS}/horizontalpodautoscalers`)).body.items[0];
    expect(await listed()).toMatchObject({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', spec: { maxReplicas: 10 } });
    store.mutate(RESOURCE_KEYS.horizontalpodautoscalers, NS, 'hpa', (hpa) => void ((hpa.spec as { maxReplicas: number }).maxReplicas = 12));
    expect(await listed()).toMatchObject({ apiVersion: 'autoscaling/v1', spec: { maxReplicas: 12, targetCPUUtilizationPercentage: 70 } });
    const v2 = await call('GET', `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers`);
    expect(v2.body.items[0]).toMatchObject({ apiVersion: 'autoscaling/v2', spec: { maxReplicas: 12, metrics: [{ type: 'Resource' }] } });
  });
});

describe('writes', () => {
  it('creates with generateName, refuses duplicates, a wrong namespace and a missing one', async () => {
    const created = await call('POST', `/api/v1/namespaces/${NS}/configmaps`, { body: { metadata: { generateName: 'cfg-' }, data: { a: 'b' } } });
    expect(created.status).toBe(201);
    expect(created.body.metadata.name).toMatch(/^cfg-[a-z0-9]{5}$/);
    expect(store.get(RESOURCE_KEYS.configmaps, NS, created.body.metadata.name)?.data).toEqual({ a: 'b' });
    const duplicate = await call('POST', `/api/v1/namespaces/${NS}/pods`, { body: pod('api-1') });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ reason: 'AlreadyExists', message: 'pods "api-1" already exists' });
    const wrongNs = await call('POST', `/api/v1/namespaces/${NS}/pods`, { body: { ...pod('x'), metadata: { name: 'x', namespace: 'other' } } });
    expect(wrongNs.status).toBe(400);
    const noNs = await call('POST', '/api/v1/namespaces/ghost/configmaps', { body: { metadata: { name: 'x' } } });
    expect(noNs.status).toBe(404);
    expect(noNs.body.message).toBe('namespaces "ghost" not found');
  });

  it('refuses invalid objects with 422 and causes', async () => {
    const answer = await call('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {
      body: { metadata: { name: 'bad' }, spec: { replicas: -2, template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] } } } },
    });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ reason: 'Invalid', details: { name: 'bad', group: 'apps', kind: 'Deployment' } });
    expect(answer.body.details.causes.map((c: { field: string }) => c.field)).toEqual(['spec.replicas', 'spec.template.spec.containers[1].name']);
    expect(store.get(RESOURCE_KEYS.deployments, NS, 'bad')).toBeUndefined();
  });

  it('PUT with a stale resourceVersion is a 409 Conflict; PUT keeps status', async () => {
    const current = (await call('GET', `/apis/apps/v1/namespaces/${NS}/deployments/codesign-api`)).body as KubeObject;
    const updated = await call('PUT', `/apis/apps/v1/namespaces/${NS}/deployments/codesign-api`, {
      body: { ...current, spec: { ...(current.spec as object), replicas: 4 }, status: { replicas: 99 } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.status).toEqual({ replicas: 3, readyReplicas: 3 });
    expect(updated.body.metadata.generation).toBe(2);
    const stale = await call('PUT', `/apis/apps/v1/namespaces/${NS}/deployments/codesign-api`, { body: current });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
  });

  it('patches the status subresource without touching spec, and the main resource without touching status', async () => {
    const status = await call('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/codesign-api/status`, {
      body: { status: { readyReplicas: 1 }, spec: { replicas: 0 } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(status.status).toBe(200);
    const stored = store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api');
    expect(stored?.status).toEqual({ replicas: 3, readyReplicas: 1 });
    expect((stored?.spec as { replicas: number }).replicas).toBe(3);
    await call('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/codesign-api`, {
      body: { status: { readyReplicas: 7 } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api')?.status).toEqual({ replicas: 3, readyReplicas: 1 });
  });

  it('patches the scale subresource (kubectl scale) and refuses negative replicas', async () => {
    const scaled = await call('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/codesign-api/scale`, {
      body: { spec: { replicas: 5 } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(scaled.body).toMatchObject({ kind: 'Scale', spec: { replicas: 5 } });
    expect((store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api')?.spec as { replicas: number }).replicas).toBe(5);
    const negative = await call('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/codesign-api/scale`, {
      body: { spec: { replicas: -1 } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(negative.status).toBe(422);
  });

  it('refuses an apply patch without a fieldManager (400) and stale resourceVersions in a patch with 409', async () => {
    const apply = await call('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/codesign-api`, {
      body: 'spec: {}',
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
    });
    expect(apply.status).toBe(400);
    expect(apply.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', details: {} });
    expect(apply.body.message).toContain('fieldManager is required');
    const stale = await call('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/codesign-api`, {
      body: { metadata: { resourceVersion: '1' }, spec: { replicas: 1 } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(stale.status).toBe(409);
  });

  it('server-side applies as ?fieldManager=, creating the object, and answers bad apply bodies with a BadRequest Status', async () => {
    const path = `/api/v1/namespaces/${NS}/configmaps/applied?fieldManager=ops`;
    const created = await call('PATCH', path, { body: 'apiVersion: v1\nkind: ConfigMap\ndata: {a: "1"}\n', headers: { 'Content-Type': 'application/apply-patch+yaml' } });
    expect(created.status).toBe(201);
    expect(created.body.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'ops', operation: 'Apply', fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } } })]);
    const updated = await call('PATCH', `/api/v1/namespaces/${NS}/configmaps/applied`, { body: { data: { a: '2' } }, headers: { 'Content-Type': 'application/merge-patch+json', 'User-Agent': 'kubectl/v1.32.4 (linux/amd64)' } });
    expect(updated.body.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'ops', operation: 'Apply', fieldsV1: { 'f:data': {} } }),
      expect.objectContaining({ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:data': { 'f:a': {} } } }),
    ]);
    const stale = await call('PATCH', path, { body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {resourceVersion: "1"}\n', headers: { 'Content-Type': 'application/apply-patch+yaml' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ reason: 'Conflict', details: { name: 'applied', kind: 'configmaps' } });
    for (const body of ['a: [unclosed', '- just\n- a list\n', 'apiVersion: v1\nkind: Secret\n']) {
      const bad = await call('PATCH', path, { body, headers: { 'Content-Type': 'application/apply-patch+yaml' } });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400, details: {} });
    }
  });

  it('dry-run create, patch and delete store nothing', async () => {
    const before = store.resourceVersion;
    const created = await call('POST', `/api/v1/namespaces/${NS}/configmaps?dryRun=All`, { body: { metadata: { name: 'dry' } } });
    expect(created.status).toBe(201);
    expect(created.body.metadata.uid).toBeTruthy();
    const patched = await call('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/codesign-api?dryRun=All`, {
      body: { spec: { replicas: 9 } },
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
    });
    expect(patched.body.spec.replicas).toBe(9);
    const deleted = await call('DELETE', `/api/v1/namespaces/${NS}/pods/api-1?dryRun=All`);
    expect(deleted.status).toBe(200);
    expect(store.resourceVersion).toBe(before);
    expect(store.get(RESOURCE_KEYS.pods, NS, 'api-1')).toBeDefined();
    expect((await call('POST', `/api/v1/namespaces/${NS}/configmaps?dryRun=Some`, { body: { metadata: { name: 'x' } } })).status).toBe(400);
  });

  it('refuses to delete kube-system with 403 Forbidden', async () => {
    store.create(RESOURCE_KEYS.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
    const answer = await call('DELETE', '/api/v1/namespaces/kube-system');
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ reason: 'Forbidden', message: 'namespaces "kube-system" is forbidden: this namespace may not be deleted' });
    expect(store.get(RESOURCE_KEYS.namespaces, undefined, 'kube-system')).toBeDefined();
  });

  it('deletes one object, 404s a missing one, and deletes a selected collection', async () => {
    const deleted = await call('DELETE', `/api/v1/namespaces/${NS}/pods/api-1`, { body: { propagationPolicy: 'Background', gracePeriodSeconds: 0 } });
    expect(deleted.body).toMatchObject({ kind: 'Pod', metadata: { name: 'api-1' } });
    expect((await call('DELETE', `/api/v1/namespaces/${NS}/pods/api-1`)).status).toBe(404);
    const collection = await call('DELETE', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dcelery-worker`);
    expect(collection.body.items.map((p: KubeObject) => p.metadata.name)).toEqual(['worker-1']);
    expect(store.list(RESOURCE_KEYS.pods, NS).map((p) => p.metadata.name)).toEqual(['api-2']);
  });
});

describe('watch', () => {
  it('with resourceVersion 0 sends the current objects as ADDED, then live changes', async () => {
    const events = watchEvents(`/api/v1/namespaces/${NS}/pods?watch=1&resourceVersion=0`, 4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    store.create(RESOURCE_KEYS.pods, pod('api-3'));
    expect((await events).map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual(['ADDED:api-1', 'ADDED:api-2', 'ADDED:worker-1', 'ADDED:api-3']);
  });

  it('from a resourceVersion replays what followed it', async () => {
    const from = store.resourceVersion;
    store.mutate(RESOURCE_KEYS.pods, NS, 'api-1', (p) => {
      p.metadata.labels = { app: 'codesign-api', v: '2' };
    });
    store.delete(RESOURCE_KEYS.pods, NS, 'api-2');
    const events = await watchEvents(`/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${from}`, 2);
    expect(events.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual(['MODIFIED:api-1', 'DELETED:api-2']);
  });

  it('ends with an ERROR event carrying 410 Expired when the resourceVersion is too old', async () => {
    const old = store.resourceVersion;
    for (let i = 0; i < 30; i++) store.mutate(RESOURCE_KEYS.pods, NS, 'api-1', (p) => void (p.metadata.annotations = { i: String(i) }));
    const events = await watchEvents(`/api/v1/namespaces/${NS}/pods?watch=1&resourceVersion=${old}`, 5);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    expect(events[0]?.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('sends bookmarks when allowed', async () => {
    const events = await watchEvents(`/api/v1/namespaces/${NS}/pods?watch=1&resourceVersion=${store.resourceVersion}&allowWatchBookmarks=true`, 1);
    expect(events[0]).toMatchObject({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(store.resourceVersion) } } });
  });

  it('with a label selector turns a label removal into DELETED', async () => {
    const events = watchEvents(`/api/v1/namespaces/${NS}/pods?watch=1&labelSelector=app%3Dcodesign-api&resourceVersion=${store.resourceVersion}`, 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    store.mutate(RESOURCE_KEYS.pods, NS, 'worker-1', (p) => void (p.metadata.annotations = { ignored: 'yes' }));
    store.mutate(RESOURCE_KEYS.pods, NS, 'api-1', (p) => void (p.metadata.labels = { app: 'other' }));
    expect((await events).map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual(['DELETED:api-1']);
  });

  it('ends after timeoutSeconds', async () => {
    const events = await watchEvents(`/api/v1/namespaces/${NS}/pods?watch=1&resourceVersion=${store.resourceVersion}&timeoutSeconds=1`, 100);
    expect(events).toEqual([]);
  });

  it('streams one-row Tables when kubectl get -w asks for them', async () => {
    const events = await watchEvents(`/api/v1/namespaces/${NS}/pods?watch=1&resourceVersion=0`, 2, TABLE);
    expect(events[0]?.object).toMatchObject({ kind: 'Table', rows: [{ cells: ['api-1', '0/1', 'Running', '0', expect.any(String), '<none>', '<none>', '<none>', '<none>'] }] });
    expect(events[0]?.object.columnDefinitions.length).toBeGreaterThan(0);
    expect(events[1]?.object.columnDefinitions).toEqual([]);
  });
});

describe('pod streams and the drill API without a world', () => {
  it('exec without an upgrade is a 400; log of a missing pod is a 404; streams need the world', async () => {
    const exec = await call('POST', `/api/v1/namespaces/${NS}/pods/api-1/exec?command=ls`);
    expect(exec.status).toBe(400);
    expect(exec.body.message).toBe('Upgrade request required');
    expect((await call('GET', `/api/v1/namespaces/${NS}/pods/nope/log`)).status).toBe(404);
    expect((await call('GET', `/api/v1/namespaces/${NS}/pods/api-1/log`)).status).toBe(503);
    expect((await call('GET', '/drill/scenarios')).status).toBe(503);
  });
});
