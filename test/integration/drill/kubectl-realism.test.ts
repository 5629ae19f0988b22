/**
 * Issue 16's realism suite: what an SRE types during the runbook's troubleshooting, with the
 * real kubectl against the drill running the simulated world. Each case names the command and
 * what a real cluster answers; keep the list growing.
 */
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';

let cluster: DrillCluster;
let kubectl: KubectlHarness;

function raw(method: string, path: string, body?: string, contentType = 'application/json'): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${cluster.url}${path}`,
      { method, ca: cluster.caCertificate, headers: { Authorization: `Bearer ${cluster.token}`, ...(body ? { 'Content-Type': contentType } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  cluster = await DrillCluster.start({ speed: 30, postgres: 'none', redis: 'none' });
  kubectl = await KubectlHarness.create(cluster);
});

afterAll(async () => {
  await kubectl?.dispose();
  await cluster?.stop();
});

describe('error Status objects carry what real servers send', () => {
  it.each([
    ['GET', '/api/v1/nope', undefined, 404, 'NotFound'],
    ['GET', '/apis/example.com/v1/widgets', undefined, 404, 'NotFound'],
    ['GET', `/api/v1/namespaces/${NS}/pods/no-such-pod`, undefined, 404, 'NotFound'],
    ['POST', `/api/v1/namespaces/${NS}/secrets`, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'codesign-secrets' } }), 409, 'AlreadyExists'],
    ['PATCH', `/api/v1/namespaces/${NS}/pods/postgres-0`, '{}', 415, 'UnsupportedMediaType'],
  ])('%s %s answers its Status with details', async (method, path, body, code, reason) => {
    const answer = await raw(method as string, path as string, body as string | undefined, method === 'PATCH' ? 'text/plain' : 'application/json');
    expect(answer.status).toBe(code);
    expect(answer.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, details: expect.any(Object) });
  });
});

describe('kubectl during troubleshooting', () => {
  it('debug on a cluster without ephemeral containers says so instead of panicking', async () => {
    const pod = (await kubectl.run(['get', 'pods', '-n', NS, '-l', 'app=codesign-api', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
    const debug = await kubectl.run(['debug', '-n', NS, pod, '--image=busybox', '--profile=general']);
    expect(debug.stderr).not.toMatch(/panic|invalid memory address/);
    expect(debug.stderr).toContain('ephemeral containers are disabled for this cluster');
  });
});

describe('graceful deletion', () => {
  const apiPod = async (): Promise<string> =>
    (await kubectl.run(['get', 'pods', '-n', NS, '-l', 'app=codesign-api', '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;

  it('shows a deleted pod as Terminating for its grace period (get -w), then it is gone; kubectl wait --for=delete sees it go', async () => {
    const pod = await apiPod();
    const watch = kubectl.spawn(['get', 'pod', pod, '-n', NS, '-w', '--no-headers'], { requestTimeout: false });
    let watched = '';
    watch.stdout?.on('data', (chunk: Buffer) => (watched += chunk.toString()));
    const waitForDelete = kubectl.run(['wait', '--for=delete', `pod/${pod}`, '-n', NS, '--timeout=60s']);
    // 20 simulated seconds at speed 30: under a second of real time, but never at once.
    const deleted = await kubectl.run(['delete', 'pod', pod, '-n', NS, '--grace-period=20', '--wait=false']);
    expect(deleted.stdout).toContain(`pod "${pod}" deleted`);
    const during = await kubectl.json<{ metadata: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number } }>(['get', 'pod', pod, '-n', NS]);
    expect(during.metadata.deletionTimestamp).toBeDefined();
    expect(during.metadata.deletionGracePeriodSeconds).toBe(20);
    const waited = await waitForDelete;
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toContain(`pod/${pod} condition met`);
    const gone = await kubectl.run(['get', 'pod', pod, '-n', NS]);
    expect(gone.stderr).toContain(`pods "${pod}" not found`);
    watch.kill('SIGTERM');
    expect(watched).toMatch(new RegExp(`${pod}\\s+\\S+\\s+Terminating`));
  });

  it('waits for the deletion with kubectl delete --wait (the default), and --force --grace-period=0 removes at once', async () => {
    const pod = await apiPod();
    const deleted = await kubectl.run(['delete', 'pod', pod, '-n', NS, '--grace-period=15']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await kubectl.run(['get', 'pod', pod, '-n', NS])).stderr).toContain('not found');

    const forced = await apiPod();
    const force = await kubectl.run(['delete', 'pod', forced, '-n', NS, '--force', '--grace-period=0']);
    expect(force.code, force.stderr).toBe(0);
    expect((await kubectl.run(['get', 'pod', forced, '-n', NS])).stderr).toContain('not found');
  });

  it('holds an object with a finalizer until the finalizer is removed', async () => {
    await kubectl.run(['create', 'configmap', 'held', '-n', NS, '--from-literal=a=b']);
    await kubectl.run(['patch', 'configmap', 'held', '-n', NS, '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
    const deleted = await kubectl.run(['delete', 'configmap', 'held', '-n', NS, '--wait=false']);
    expect(deleted.code, deleted.stderr).toBe(0);
    const held = await kubectl.json<{ metadata: { deletionTimestamp?: string } }>(['get', 'configmap', 'held', '-n', NS]);
    expect(held.metadata.deletionTimestamp).toBeDefined();
    await kubectl.run(['patch', 'configmap', 'held', '-n', NS, '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    expect((await kubectl.run(['get', 'configmap', 'held', '-n', NS])).stderr).toContain('not found');
  });
});

describe('graceful deletion seen by a client-node informer', () => {
  it('sees deletionTimestamp (an update) before the delete', async () => {
    const config = new KubeConfig();
    config.loadFromString(cluster.kubeconfig());
    const core = config.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1Pod>(config, `/api/v1/namespaces/${NS}/pods`, () => core.listNamespacedPod({ namespace: NS }));
    const seen: string[] = [];
    informer.on('update', (p) => seen.push(`update:${p.metadata?.name}:${p.metadata?.deletionTimestamp ? 'terminating' : ''}`));
    informer.on('delete', (p) => seen.push(`delete:${p.metadata?.name}`));
    await informer.start();
    try {
      const pod = (await kubectl.run(['get', 'pods', '-n', NS, '-l', 'app=celery-worker', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
      expect(pod).not.toBe('');
      const deleted = await kubectl.run(['delete', 'pod', pod, '-n', NS, '--grace-period=10']);
      expect(deleted.code, deleted.stderr).toBe(0);
      const deadline = Date.now() + 30_000;
      while (!seen.includes(`delete:${pod}`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const terminating = seen.indexOf(`update:${pod}:terminating`);
      expect(terminating).toBeGreaterThanOrEqual(0);
      expect(seen.indexOf(`delete:${pod}`)).toBeGreaterThan(terminating);
    } finally {
      await informer.stop();
    }
  });
});

describe('the HPA acts', () => {
  it('undoes a kubectl scale above what CPU needs, and says so in describe hpa', async () => {
    const scaled = await kubectl.run(['scale', 'deployment', 'codesign-api', '--replicas=7', '-n', NS]);
    expect(scaled.code, scaled.stderr).toBe(0);
    const deadline = Date.now() + 30_000;
    let replicas = '7';
    while (replicas !== '3' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      replicas = (await kubectl.run(['get', 'deployment', 'codesign-api', '-n', NS, '-o', 'jsonpath={.spec.replicas}'])).stdout;
    }
    expect(replicas).toBe('3');
    const described = (await kubectl.run(['describe', 'hpa', 'codesign-api-hpa', '-n', NS])).stdout;
    expect(described).toMatch(/SuccessfulRescale\s+.*New size: 3; reason: All metrics below target/);
  });
});

describe('namespace deletion', () => {
  it('goes through Terminating, then the namespace and its content are gone (kubectl wait --for=delete)', async () => {
    expect((await kubectl.run(['create', 'namespace', 'scratch'])).code).toBe(0);
    expect((await kubectl.run(['create', 'configmap', 'notes', '-n', 'scratch', '--from-literal=a=b'])).code).toBe(0);
    const deleted = await kubectl.run(['delete', 'namespace', 'scratch', '--wait=false']);
    expect(deleted.code, deleted.stderr).toBe(0);
    // 30 simulated seconds of Terminating: about a second at this cluster's speed.
    expect((cluster.store.get('v1/namespaces', undefined, 'scratch')?.status as { phase?: string } | undefined)?.phase).toBe('Terminating');
    expect((await kubectl.run(['get', 'namespace', 'scratch', '--no-headers'])).stdout).toMatch(/^scratch\s+Terminating\s/);
    const waited = await kubectl.run(['wait', '--for=delete', 'namespace/scratch', '--timeout=60s']);
    expect(waited.code, waited.stderr).toBe(0);
    expect((await kubectl.run(['get', 'configmap', 'notes', '-n', 'scratch'])).stderr).toContain('not found');
  });
});
