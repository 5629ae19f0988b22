/**
 * The real kubectl against the drill API server, with a static stand-in world so each runbook
 * command's effect on the stored objects can be asserted exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { RESOURCE_KEYS } from '../../../packages/drill-cluster/src/resources';
import type { KubeObject, PodStreamHandler } from '../../../packages/drill-cluster/src/types';
import { KubectlHarness } from './kubectl-harness';
import { createStubWorld } from './api-stub-world';

const NS = 'codesign-production';

const noStreams = (): PodStreamHandler => ({
  serveLog(_req, res) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('stub log line\n');
  },
  handleUpgrade(_sub, _req, socket) {
    socket.destroy();
  },
  async close() {},
});

let cluster: DrillCluster;
let kubectl: KubectlHarness;

type Container = { name: string; image: string; env?: Array<{ name: string; value?: string }>; resources?: Record<string, Record<string, string>> };

function deployment(): KubeObject {
  const object = cluster.store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api');
  if (!object) throw new Error('codesign-api deployment missing');
  return object;
}

function apiContainer(): Container {
  const spec = deployment().spec as { template: { spec: { containers: Container[] } } };
  const container = spec.template.spec.containers.find((c) => c.name === 'codesign-api');
  if (!container) throw new Error('codesign-api container missing');
  return container;
}

beforeAll(async () => {
  cluster = await DrillCluster.start({ createWorld: (store) => createStubWorld(store), createStreams: noStreams });
  kubectl = await KubectlHarness.create(cluster);
});

afterAll(async () => {
  await kubectl?.dispose();
  await cluster?.stop();
});

describe('discovery and reads', () => {
  it('api-resources lists the kinds served, including certificates and metrics', async () => {
    const result = await kubectl.run(['api-resources']);
    expect(result.code).toBe(0);
    const rows = result.stdout.split('\n').map((line) => line.split(/\s+/));
    const has = (name: string, apiVersion: string) => rows.some((r) => r[0] === name && r.includes(apiVersion));
    expect(has('certificates', 'cert-manager.io/v1')).toBe(true);
    expect(has('nodes', 'metrics.k8s.io/v1beta1')).toBe(true);
    expect(has('pods', 'metrics.k8s.io/v1beta1')).toBe(true);
    expect(has('deployments', 'apps/v1')).toBe(true);
    expect(has('horizontalpodautoscalers', 'autoscaling/v2')).toBe(true);
    expect(has('persistentvolumes', 'v1')).toBe(true);
  });

  it('get pods prints READY, STATUS and RESTARTS per pod', async () => {
    const result = await kubectl.run(['get', 'pods', '-n', NS]);
    expect(result.code).toBe(0);
    const [header, ...lines] = result.stdout.trim().split('\n');
    expect(header?.split(/\s+/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    const byName = Object.fromEntries(lines.map((l) => l.split(/\s+/)).map((cells) => [cells[0], cells]));
    expect(byName['codesign-api-7d9f8c6b5-aaaaa']?.slice(1, 4)).toEqual(['1/1', 'Running', '0']);
    expect(byName['codesign-api-7d9f8c6b5-ccccc']?.slice(1, 4)).toEqual(['0/1', 'CrashLoopBackOff', '3']);
  });

  it('get pods -o wide adds IP and NODE', async () => {
    const result = await kubectl.run(['get', 'pods', '-n', NS, '-o', 'wide']);
    expect(result.stdout.split('\n')[0]?.split(/\s{2,}/)).toEqual(
      expect.arrayContaining(['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']),
    );
    expect(result.stdout).toContain('drill-node-1');
  });

  it('get pv prints capacity, access modes and claim', async () => {
    const result = await kubectl.run(['get', 'pv']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/pv-postgres-data\s+100Gi\s+RWO\s+Retain\s+Bound\s+codesign-production\/data-postgres-0/);
  });

  it('get certificate prints READY and SECRET; describe shows its spec', async () => {
    const get = await kubectl.run(['get', 'certificate', '-n', NS]);
    expect(get.stdout).toMatch(/codesign-tls\s+True\s+codesign-tls/);
    const describe = await kubectl.run(['describe', 'certificate', 'codesign-tls', '-n', NS]);
    expect(describe.code).toBe(0);
    expect(describe.stdout).toMatch(/Kind:\s+Certificate/);
    expect(describe.stdout).toMatch(/Secret Name:\s+codesign-tls/);
  });

  it('describe hpa shows the reference, the CPU target and replica bounds', async () => {
    const result = await kubectl.run(['describe', 'hpa', 'codesign-api-hpa', '-n', NS]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Reference:\s+Deployment\/codesign-api/);
    expect(result.stdout).toMatch(/45% \(.*\) \/ 70%/);
    expect(result.stdout).toMatch(/Min replicas:\s+3/);
  });

  it('top nodes and top pods --containers read metrics.k8s.io', async () => {
    const nodes = await kubectl.run(['top', 'nodes']);
    expect(nodes.code).toBe(0);
    expect(nodes.stdout).toMatch(/drill-node-1\s+1500m\s+18%\s+12288Mi/);
    const pods = await kubectl.run(['top', 'pods', '-n', NS, '--containers']);
    expect(pods.code).toBe(0);
    expect(pods.stdout).toMatch(/codesign-api-7d9f8c6b5-aaaaa\s+codesign-api\s+250m\s+800Mi/);
  });

  it('a pod that does not exist: kubectl prints pods "nope" not found and fails', async () => {
    const result = await kubectl.run(['get', 'pod', 'nope', '-n', NS]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('pods "nope" not found');
  });

  it('a wrong token: kubectl reports that you must be logged in', async () => {
    const wrong = await KubectlHarness.create(cluster.kubeconfig().replace(cluster.token, 'not-the-token'));
    try {
      const result = await wrong.run(['get', 'pods', '-n', NS]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('You must be logged in to the server');
    } finally {
      await wrong.dispose();
    }
  });
});

describe('runbook writes', () => {
  it('scale deployment codesign-api --replicas=5 sets spec.replicas', async () => {
    const result = await kubectl.run(['scale', 'deployment', 'codesign-api', '--replicas=5', '-n', NS]);
    expect(result.code).toBe(0);
    expect((deployment().spec as { replicas: number }).replicas).toBe(5);
  });

  it('set env sets every variable the runbook sets, keeping the others', async () => {
    const variables = {
      CIRCUIT_BREAKER_ENABLED: 'true',
      CACHE_SIZE_MB: '512',
      MEMORY_MONITORING_ENABLED: 'true',
      DB_POOL_SIZE: '20',
      RATE_LIMITING_ENABLED: 'true',
      MAINTENANCE_MODE: 'true',
      MAX_WORKERS: '12',
    };
    for (const [name, value] of Object.entries(variables)) {
      const result = await kubectl.run(['set', 'env', 'deployment/codesign-api', `${name}=${value}`, '-n', NS]);
      expect(result.code, result.stderr).toBe(0);
    }
    const env = Object.fromEntries((apiContainer().env ?? []).map((e) => [e.name, e.value]));
    expect(env).toEqual({ LOG_LEVEL: 'info', ...variables });
  });

  it('set image changes the codesign-api container image', async () => {
    const result = await kubectl.run(['set', 'image', 'deployment/codesign-api', 'codesign-api=codesign-playground:v2.1.0', '-n', NS]);
    expect(result.code).toBe(0);
    expect(apiContainer().image).toBe('codesign-playground:v2.1.0');
  });

  it('the runbook memory patch raises the limit and keeps the other container fields', async () => {
    const before = apiContainer();
    const result = await kubectl.run([
      'patch',
      'deployment',
      'codesign-api',
      '-n',
      NS,
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"codesign-api","resources":{"limits":{"memory":"3Gi"}}}]}}}}',
    ]);
    expect(result.code).toBe(0);
    const after = apiContainer();
    expect(after.resources).toEqual({ limits: { memory: '3Gi', cpu: '1' }, requests: { memory: '1Gi', cpu: '500m' } });
    expect(after.image).toBe(before.image);
    expect(after.env).toEqual(before.env);
  });

  it('--type=merge and --type=json patches', async () => {
    const merge = await kubectl.run(['patch', 'deployment', 'codesign-api', '-n', NS, '--type=merge', '-p', '{"metadata":{"labels":{"tier":"web"}}}']);
    expect(merge.code).toBe(0);
    expect(deployment().metadata.labels).toEqual({ app: 'codesign-api', tier: 'web' });
    const json = await kubectl.run(['patch', 'deployment', 'codesign-api', '-n', NS, '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4}]']);
    expect(json.code).toBe(0);
    expect((deployment().spec as { replicas: number }).replicas).toBe(4);
    const failing = await kubectl.run(['patch', 'deployment', 'codesign-api', '-n', NS, '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":99}]']);
    expect(failing.code).not.toBe(0);
  });

  it('--dry-run=server answers the would-be object and stores nothing', async () => {
    const before = deployment();
    const scale = await kubectl.run(['scale', 'deployment', 'codesign-api', '--replicas=9', '--dry-run=server', '-n', NS]);
    expect(scale.code).toBe(0);
    expect(scale.stdout).toContain('server dry run');
    const patch = await kubectl.run(['set', 'image', 'deployment/codesign-api', 'codesign-api=evil:1', '--dry-run=server', '-o', 'json', '-n', NS]);
    expect(patch.code).toBe(0);
    expect(JSON.stringify(JSON.parse(patch.stdout))).toContain('evil:1');
    const created = await kubectl.run(['create', 'configmap', 'dry', '--from-literal=a=b', '--dry-run=server', '-n', NS]);
    expect(created.code).toBe(0);
    expect(cluster.store.get(RESOURCE_KEYS.configmaps, NS, 'dry')).toBeUndefined();
    const after = deployment();
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.spec).toEqual(before.spec);
  });

  it('a negative replica count is refused as Invalid', async () => {
    const result = await kubectl.run(['patch', 'deployment', 'codesign-api', '-n', NS, '--type=merge', '-p', '{"spec":{"replicas":-1}}']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('The Deployment "codesign-api" is invalid: spec.replicas: Invalid value: -1');
    expect((deployment().spec as { replicas: number }).replicas).toBe(4);
  });

  it('rollout restart stamps the pod template', async () => {
    const result = await kubectl.run(['rollout', 'restart', 'deployment/codesign-api', '-n', NS]);
    expect(result.code).toBe(0);
    const template = (deployment().spec as { template: { metadata: { annotations?: Record<string, string> } } }).template;
    expect(template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-/);
  });

  it('delete pod -l app=codesign-api --field-selector=status.phase!=Running deletes only the non-running pods', async () => {
    const result = await kubectl.run(['delete', 'pod', '-l', 'app=codesign-api', '--field-selector=status.phase!=Running', '-n', NS]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('codesign-api-7d9f8c6b5-ccccc');
    const names = cluster.store.list(RESOURCE_KEYS.pods, NS).map((p) => p.metadata.name);
    expect(names).toEqual(['codesign-api-7d9f8c6b5-aaaaa', 'codesign-api-7d9f8c6b5-bbbbb']);
  });

  it('delete secret then the runbook create secret stores the new values, base64', async () => {
    const deleted = await kubectl.run(['delete', 'secret', 'codesign-secrets', '-n', NS]);
    expect(deleted.code).toBe(0);
    expect(cluster.store.get(RESOURCE_KEYS.secrets, NS, 'codesign-secrets')).toBeUndefined();
    const created = await kubectl.run([
      'create',
      'secret',
      'generic',
      'codesign-secrets',
      '--from-literal=postgres-password=new-pg-pass',
      '--from-literal=redis-password=new-redis-pass',
      '--from-literal=secret-key=new-secret-key',
      '-n',
      NS,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const secret = cluster.store.get(RESOURCE_KEYS.secrets, NS, 'codesign-secrets');
    expect(secret?.type).toBe('Opaque');
    expect(secret?.data).toEqual({
      'postgres-password': Buffer.from('new-pg-pass').toString('base64'),
      'redis-password': Buffer.from('new-redis-pass').toString('base64'),
      'secret-key': Buffer.from('new-secret-key').toString('base64'),
    });
  });

  it('delete certificate codesign-tls removes it', async () => {
    const result = await kubectl.run(['delete', 'certificate', 'codesign-tls', '-n', NS]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('certificate.cert-manager.io "codesign-tls" deleted');
    expect(cluster.store.get(RESOURCE_KEYS.certificates, NS, 'codesign-tls')).toBeUndefined();
    const get = await kubectl.run(['get', 'certificate', '-n', NS]);
    expect(get.stderr).toContain('No resources found');
  });
});

describe('watch', () => {
  it('get -w prints a row for a change made after it started', async () => {
    const child = kubectl.spawn(['get', 'pods', '-n', NS, '-w'], { requestTimeout: false });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no initial rows: ${output}`)), 20_000);
      const check = setInterval(() => {
        if (output.includes('codesign-api-7d9f8c6b5-aaaaa')) {
          clearInterval(check);
          clearTimeout(timer);
          resolve();
        }
      }, 50);
    });
    cluster.store.create(RESOURCE_KEYS.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'watched-pod', namespace: NS },
      spec: { containers: [{ name: 'c', image: 'x' }] },
      status: { phase: 'Pending' },
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch row missing: ${output}`)), 20_000);
      const check = setInterval(() => {
        if (/watched-pod\s+0\/1\s+Pending/.test(output)) {
          clearInterval(check);
          clearTimeout(timer);
          resolve();
        }
      }, 50);
    });
    child.kill('SIGTERM');
  });
});
