/**
 * @kubernetes/client-node 1.3 against the drill API server: typed reads and patches, an
 * informer seeing adds, updates and deletes, a watch from an expired resourceVersion getting
 * 410, and a client without the token getting 401.
 */
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1Pod,
} from '@kubernetes/client-node';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { RESOURCE_KEYS } from '../../../packages/drill-cluster/src/resources';
import type { KubeObject, PodStreamHandler } from '../../../packages/drill-cluster/src/types';
import { createStubWorld } from './api-stub-world';

const NS = 'codesign-production';
const HISTORY = 50;

const noStreams = (): PodStreamHandler => ({
  serveLog(_req, res) {
    res.end();
  },
  handleUpgrade(_sub, _req, socket) {
    socket.destroy();
  },
  async close() {},
});

let cluster: DrillCluster;
let kubeConfig: KubeConfig;

function pod(name: string, labels: Record<string, string> = { app: 'informer-test' }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels },
    spec: { containers: [{ name: 'c', image: 'x:1' }] },
    status: { phase: 'Pending' },
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  cluster = await DrillCluster.start({ createWorld: (store) => createStubWorld(store), createStreams: noStreams, historySize: HISTORY });
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(cluster.kubeconfig());
});

afterAll(async () => {
  await cluster?.stop();
});

describe('client-node typed APIs', () => {
  it('lists and reads pods through CoreV1Api', async () => {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const list = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=codesign-api' });
    expect(list.items.map((p) => p.metadata?.name)).toEqual([
      'codesign-api-7d9f8c6b5-aaaaa',
      'codesign-api-7d9f8c6b5-bbbbb',
      'codesign-api-7d9f8c6b5-ccccc',
    ]);
    expect(Number(list.metadata?.resourceVersion)).toBe(cluster.store.resourceVersion);
    const one = await core.readNamespacedPod({ name: 'codesign-api-7d9f8c6b5-aaaaa', namespace: NS });
    expect(one.status?.phase).toBe('Running');
  });

  it('pages a list with limit and continue', async () => {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const first = await core.listNamespacedPod({ namespace: NS, limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.metadata?._continue).toBeTruthy();
    const second = await core.listNamespacedPod({ namespace: NS, limit: 2, _continue: first.metadata?._continue });
    const names = [...first.items, ...second.items].map((p) => p.metadata?.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('codesign-api-7d9f8c6b5-ccccc');
  });

  it('patches a deployment with a strategic merge patch through AppsV1Api', async () => {
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const patched = await apps.patchNamespacedDeployment(
      {
        name: 'codesign-api',
        namespace: NS,
        body: { spec: { template: { spec: { containers: [{ name: 'codesign-api', env: [{ name: 'DB_POOL_SIZE', value: '20' }] }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(patched.spec?.template.spec?.containers[0]?.env?.map((e) => e.name)).toEqual(['LOG_LEVEL', 'CACHE_SIZE_MB', 'DB_POOL_SIZE']);
    const stored = cluster.store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api');
    expect(JSON.stringify(stored?.spec)).toContain('DB_POOL_SIZE');
  });

  it('reads and replaces the scale subresource', async () => {
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const scale = await apps.readNamespacedDeploymentScale({ name: 'codesign-api', namespace: NS });
    expect(scale.status?.selector).toBe('app=codesign-api');
    await apps.replaceNamespacedDeploymentScale({
      name: 'codesign-api',
      namespace: NS,
      body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'codesign-api', namespace: NS }, spec: { replicas: 6 } },
    });
    expect((cluster.store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api')?.spec as { replicas: number }).replicas).toBe(6);
  });

  it('answers a stale update with 409 Conflict', async () => {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const stale = await core.readNamespacedPod({ name: 'codesign-api-7d9f8c6b5-aaaaa', namespace: NS });
    cluster.store.mutate(RESOURCE_KEYS.pods, NS, 'codesign-api-7d9f8c6b5-aaaaa', (p) => {
      p.metadata.labels = { ...p.metadata.labels, touched: 'yes' };
    });
    const error = await core
      .replaceNamespacedPod({ name: 'codesign-api-7d9f8c6b5-aaaaa', namespace: NS, body: stale })
      .then(() => undefined, (e: { code?: number; body?: string }) => e);
    expect(error?.code).toBe(409);
    expect(JSON.parse(error?.body ?? '{}')).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
  });
});

describe('client-node informer and watch', () => {
  it('an informer sees adds, updates and deletes', async () => {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1Pod>(kubeConfig, `/api/v1/namespaces/${NS}/pods`, () => core.listNamespacedPod({ namespace: NS }));
    const seen: string[] = [];
    informer.on('add', (p) => seen.push(`add:${p.metadata?.name}`));
    informer.on('update', (p) => seen.push(`update:${p.metadata?.name}:${p.metadata?.labels?.step ?? ''}`));
    informer.on('delete', (p) => seen.push(`delete:${p.metadata?.name}`));
    await informer.start();
    try {
      await until(() => seen.includes('add:codesign-api-7d9f8c6b5-aaaaa'), 'the initial list');
      cluster.store.create(RESOURCE_KEYS.pods, pod('informed'));
      await until(() => seen.includes('add:informed'), 'the add');
      cluster.store.mutate(RESOURCE_KEYS.pods, NS, 'informed', (p) => {
        p.metadata.labels = { ...p.metadata.labels, step: 'two' };
      });
      await until(() => seen.includes('update:informed:two'), 'the update');
      cluster.store.delete(RESOURCE_KEYS.pods, NS, 'informed');
      await until(() => seen.includes('delete:informed'), 'the delete');
    } finally {
      await informer.stop();
    }
  });

  it('a watch from a resourceVersion older than the history window gets 410 Expired', async () => {
    const old = cluster.store.resourceVersion;
    cluster.store.create(RESOURCE_KEYS.pods, pod('churn'));
    for (let i = 0; i <= HISTORY; i++) {
      cluster.store.mutate(RESOURCE_KEYS.pods, NS, 'churn', (p) => {
        p.metadata.annotations = { i: String(i) };
      });
    }
    const events: Array<{ phase: string; object: { code?: number; reason?: string } }> = [];
    const done = new Promise<unknown>((resolve) => {
      void new Watch(kubeConfig).watch(
        `/api/v1/namespaces/${NS}/pods`,
        { resourceVersion: String(old) },
        (phase, object) => events.push({ phase, object }),
        resolve,
      );
    });
    await done;
    expect(events).toEqual([{ phase: 'ERROR', object: expect.objectContaining({ code: 410, reason: 'Expired' }) }]);
  });

  it('a watch from a recent resourceVersion replays what happened since', async () => {
    const from = cluster.store.resourceVersion;
    cluster.store.create(RESOURCE_KEYS.pods, pod('replayed'));
    const events: string[] = [];
    let abort: AbortController | undefined;
    const done = new Promise<void>((resolve) => {
      void new Watch(kubeConfig)
        .watch(
          `/api/v1/namespaces/${NS}/pods`,
          { resourceVersion: String(from) },
          (phase, object: V1Pod) => {
            events.push(`${phase}:${object.metadata?.name}`);
            resolve();
          },
          () => resolve(),
        )
        .then((controller) => {
          abort = controller;
        });
    });
    await done;
    abort?.abort();
    expect(events[0]).toBe('ADDED:replayed');
  });
});

describe('client-node auth', () => {
  it('a client without the token gets 401', async () => {
    const tokenless = new KubeConfig();
    tokenless.loadFromOptions({
      clusters: [{ name: 'drill', server: cluster.url, caData: Buffer.from(cluster.caCertificate).toString('base64'), skipTLSVerify: false }],
      users: [{ name: 'nobody' }],
      contexts: [{ name: 'drill', cluster: 'drill', user: 'nobody' }],
      currentContext: 'drill',
    });
    const error = await tokenless
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: NS })
      .then(() => undefined, (e: { code?: number; body?: string }) => e);
    expect(error?.code, String(error)).toBe(401);
    const raw = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(`${cluster.url}/api/v1/namespaces/${NS}/pods`, { ca: cluster.caCertificate }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(raw.status).toBe(401);
    expect(JSON.parse(raw.body)).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });
});
