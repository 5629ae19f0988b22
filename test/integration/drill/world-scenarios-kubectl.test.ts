/**
 * The fault scenarios through the real kubectl: each one is injected, seen the way an on-call
 * engineer would see it, and resolved by the runbook procedure meant for it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { RESOURCE_KEYS } from '../../../packages/drill-cluster/src/resources';
import type { KubeObject } from '../../../packages/drill-cluster/src/types';
import { evaluateThresholds, parseExposition } from '../../../packages/drill-cluster/src/world/threshold-evaluation';
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';
const N = ['-n', NS];
const DAY = 24 * 3600_000;

let cluster: DrillCluster | undefined;
let kubectl: KubectlHarness | undefined;

async function start(speed: number): Promise<{ cluster: DrillCluster; kubectl: KubectlHarness }> {
  cluster = await DrillCluster.start({ speed, postgres: 'none', redis: 'none' });
  kubectl = await KubectlHarness.create(cluster);
  return { cluster, kubectl };
}

afterEach(async () => {
  await kubectl?.dispose();
  await cluster?.stop();
  kubectl = undefined;
  cluster = undefined;
});

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function apiPods(c: DrillCluster): KubeObject[] {
  return c.store.list(RESOURCE_KEYS.pods, NS).filter((p) => p.metadata.labels?.app === 'codesign-api');
}

function firstContainerStatus(pod: KubeObject): { restartCount: number; lastState: { terminated?: { reason: string; exitCode: number } } } | undefined {
  return (pod.status as { containerStatuses?: Array<{ restartCount: number; lastState: { terminated?: { reason: string; exitCode: number } } }> }).containerStatuses?.[0];
}

/** P95 from two scrapes of /drill/metrics through kubectl; the quantile does not depend on the window length. */
async function p95Between(k: KubectlHarness, c: DrillCluster, simulatedMs: number): Promise<number> {
  const first = await k.run(['get', '--raw', '/drill/metrics']);
  expect(first.code).toBe(0);
  const from = c.world.clock.now();
  await until(() => c.world.clock.now() - from >= simulatedMs, 'the metrics window');
  const second = await k.run(['get', '--raw', '/drill/metrics']);
  return evaluateThresholds(parseExposition(first.stdout), parseExposition(second.stdout), simulatedMs / 1000).apiLatencyP95;
}

describe('scenarios through kubectl', () => {
  it('bad-deploy: rollout status fails on the progress deadline, rollout undo recovers', async () => {
    const { cluster: c, kubectl: k } = await start(240);
    const inject = await k.run(['create', '--raw', '/drill/scenarios/bad-deploy', '-f', '-'], { input: '{}' });
    expect(inject.code).toBe(0);
    expect(JSON.parse(inject.stdout).active).toEqual(['bad-deploy']);

    const failing = await k.run(['rollout', 'status', 'deployment/codesign-api', ...N, '--timeout=90s'], { requestTimeout: false, timeoutMs: 100_000 });
    expect(failing.code).not.toBe(0);
    expect(failing.stderr).toContain('exceeded its progress deadline');
    const pods = await k.run(['get', 'pods', ...N, '-l', 'app=codesign-api']);
    expect(pods.stdout).toMatch(/codesign-api-\S+\s+0\/1\s+(CrashLoopBackOff|Error|Running)\s+\d+/);
    const crashing = apiPods(c).find((p) => (p.spec as { containers: Array<{ image: string }> }).containers[0]?.image === 'codesign-playground:v2.1.0-bad');
    expect(firstContainerStatus(crashing!)?.lastState.terminated).toMatchObject({ exitCode: 1 });

    const undo = await k.run(['rollout', 'undo', 'deployment/codesign-api', ...N]);
    expect(undo.code).toBe(0);
    const ok = await k.run(['rollout', 'status', 'deployment/codesign-api', ...N, '--timeout=90s'], { requestTimeout: false, timeoutMs: 100_000 });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('successfully rolled out');
    const after = apiPods(c);
    expect(after).toHaveLength(3);
    for (const pod of after) expect((pod.spec as { containers: Array<{ image: string }> }).containers[0]?.image).toBe('codesign-playground:v2.0.3');
    const deployment = await k.json<KubeObject>(['get', 'deployment', 'codesign-api', ...N]);
    expect(deployment.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('6');
  });

  it('high-latency: P95 over 2s until the capped HPA is raised and codesign-api scaled to 5', async () => {
    const { cluster: c, kubectl: k } = await start(240);
    c.world.scenarios.inject('high-latency');
    expect(await p95Between(k, c, 5 * 60_000)).toBeGreaterThan(2);
    const top = await k.run(['top', 'pods', ...N, '-l', 'app=codesign-api']);
    const hotCpu = [...top.stdout.matchAll(/^codesign-api-\S+\s+(\d+)m/gm)].map((m) => Number(m[1]));
    expect(Math.min(...hotCpu)).toBeGreaterThan(700);

    const hpa = await k.run(['get', 'hpa', 'codesign-api-hpa', ...N, '-o', 'jsonpath={.spec.maxReplicas}']);
    expect(hpa.stdout).toBe('3');
    expect((await k.run(['patch', 'hpa', 'codesign-api-hpa', ...N, '--type=merge', '-p', '{"spec":{"minReplicas":5,"maxReplicas":5}}'])).code).toBe(0);
    expect((await k.run(['scale', 'deployment', 'codesign-api', '--replicas=5', ...N])).code).toBe(0);
    expect((await k.run(['rollout', 'status', 'deployment/codesign-api', ...N, '--timeout=90s'], { requestTimeout: false, timeoutMs: 100_000 })).code).toBe(0);
    expect(await p95Between(k, c, 5 * 60_000)).toBeLessThan(2);
    const eased = await k.run(['top', 'pods', ...N, '-l', 'app=codesign-api']);
    const easedCpu = [...eased.stdout.matchAll(/^codesign-api-\S+\s+(\d+)m/gm)].map((m) => Number(m[1]));
    expect(easedCpu).toHaveLength(5);
    expect(Math.max(...easedCpu)).toBeLessThan(Math.min(...hotCpu));
  });

  it('memory-leak: OOMKilled shows in get pods and describe; rollout restart gives fresh pods', async () => {
    const { cluster: c, kubectl: k } = await start(240);
    c.world.scenarios.inject('memory-leak');
    await until(() => apiPods(c).some((p) => (firstContainerStatus(p)?.restartCount ?? 0) > 0), 'an OOM kill');
    const pods = await k.run(['get', 'pods', ...N, '-l', 'app=codesign-api']);
    expect(pods.stdout).toMatch(/codesign-api-\S+\s+\d\/1\s+\S+\s+[1-9]\d* \(/);
    const described = await k.run(['describe', 'pods', ...N, '-l', 'app=codesign-api']);
    expect(described.stdout).toMatch(/Last State:\s+Terminated\s+Reason:\s+OOMKilled\s+Exit Code:\s+137/);
    const events = await k.run(['get', 'events', ...N, '--field-selector', 'reason=OOMKilled']);
    expect(events.stdout).toContain('OOM-killed');

    expect((await k.run(['rollout', 'restart', 'deployment/codesign-api', ...N])).code).toBe(0);
    expect((await k.run(['rollout', 'status', 'deployment/codesign-api', ...N, '--timeout=90s'], { requestTimeout: false, timeoutMs: 100_000 })).code).toBe(0);
    const fresh = await k.json<{ items: KubeObject[] }>(['get', 'pods', ...N, '-l', 'app=codesign-api']);
    expect(fresh.items).toHaveLength(3);
    for (const pod of fresh.items) expect(firstContainerStatus(pod)?.restartCount).toBe(0);
    const top = await k.run(['top', 'pods', ...N, '-l', 'app=codesign-api', '--containers']);
    for (const m of top.stdout.matchAll(/^codesign-api-\S+\s+codesign-api\s+\d+m\s+(\d+)Mi/gm)) expect(Number(m[1])).toBeLessThan(1024);
  });

  it('expiring-certificate: delete certificate codesign-tls and cert-manager reissues it for 90 days', async () => {
    const { cluster: c, kubectl: k } = await start(60);
    c.world.scenarios.inject('expiring-certificate');
    const expiring = await k.json<KubeObject>(['get', 'certificate', 'codesign-tls', ...N]);
    const notAfter = Date.parse((expiring.status as { notAfter: string }).notAfter);
    expect(notAfter - c.world.clock.now()).toBeLessThan(7 * DAY);
    const described = await k.run(['describe', 'certificate', 'codesign-tls', ...N]);
    expect(described.stdout).toMatch(/expires in 5 days/);

    const deleted = await k.run(['delete', 'certificate', 'codesign-tls', ...N]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('certificate.cert-manager.io "codesign-tls" deleted');
    await until(async () => {
      const list = await k.run(['get', 'certificate', ...N]);
      return /^codesign-tls\s+True\s+codesign-tls/m.test(list.stdout);
    }, 'the reissued certificate');
    const fresh = await k.json<KubeObject>(['get', 'certificate', 'codesign-tls', ...N]);
    expect(fresh.metadata.uid).not.toBe(expiring.metadata.uid);
    expect(Date.parse((fresh.status as { notAfter: string }).notAfter) - c.world.clock.now()).toBeGreaterThan(89 * DAY);
  });

  it('db-connection-exhaustion: the runbook psql that terminates idle backends brings connections back under 150', async () => {
    cluster = await DrillCluster.start({ speed: 60, postgres: 'pglite', redis: 'none' });
    kubectl = await KubectlHarness.create(cluster);
    const c = cluster;
    const k = kubectl;
    const connections = async () => {
      const { stdout } = await k.run(['get', '--raw', '/drill/metrics']);
      const samples = parseExposition(stdout);
      return evaluateThresholds(samples, samples, 1).postgresConnections;
    };
    c.world.scenarios.inject('db-connection-exhaustion');
    await until(async () => (await connections()) > 190, 'connections over the critical threshold');

    const sql = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle' AND state_change < now() - interval '5 minutes';";
    const result = await k.run(['exec', 'postgres-0', ...N, '--', 'psql', '-U', 'codesign', '-d', 'codesign_db', '-c', sql], { timeoutMs: 90_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await connections()).toBeLessThan(150);
  }, 180_000);
});
