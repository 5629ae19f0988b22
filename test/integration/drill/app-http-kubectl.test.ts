/**
 * The simulated app can be reached as a responder would reach it (issue 16): `kubectl
 * port-forward` to deploy/codesign-api 8000 or svc/codesign-api 80, then curl its /health,
 * /metrics and an API endpoint that answers with the current scenario's errors; and the API
 * server's service proxy reaches the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';
let cluster: DrillCluster;
let kubectl: KubectlHarness;

beforeAll(async () => {
  cluster = await DrillCluster.start({ speed: 30, postgres: 'none', redis: 'none' });
  kubectl = await KubectlHarness.create(cluster);
});

afterAll(async () => {
  await kubectl?.dispose();
  await cluster?.stop();
});


describe('the app behind codesign-api', () => {
  it('answers /health, /metrics and its API through a port-forward to the deployment', async () => {
    await kubectl.forward(NS, 'deploy/codesign-api', 8000, async (base) => {
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', pod: expect.stringMatching(/^codesign-api-/), version: 'v2.0.3', checks: { database: 'ok' } });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('http_requests_total');
      const calm = await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/api/v1/status`).then((r) => r.status)));
      expect(calm.filter((s) => s >= 500).length).toBeLessThan(3);
    });
  });

  it('tells the truth about error-spike: 5xx through a forward to the service', async () => {
    cluster.world.scenarios.inject('error-spike');
    try {
      await kubectl.forward(NS, 'svc/codesign-api', 80, async (base) => {
        // 60 requests at once: the time is one slow answer, not sixty.
        const statuses = await Promise.all(Array.from({ length: 60 }, () => fetch(`${base}/api/v1/status`).then((r) => r.status)));
        const errors = statuses.filter((s) => s >= 500).length;
        // The scenario's 5xx ratio is over 10%; at rest it is under 1% (the first test).
        expect(errors, `statuses: ${statuses.join(' ')}`).toBeGreaterThanOrEqual(2);
      });
    } finally {
      cluster.world.scenarios.clear('error-spike');
    }
  });

  it('is reached through the API server service proxy, by port name, and refuses a port nothing listens on', async () => {
    const health = await kubectl.run(['get', '--raw', `/api/v1/namespaces/${NS}/services/codesign-api:http/proxy/health`]);
    expect(health.code, health.stderr).toBe(0);
    expect(JSON.parse(health.stdout)).toMatchObject({ status: 'ok', version: 'v2.0.3' });
    const metrics = await kubectl.run(['get', '--raw', `/api/v1/namespaces/${NS}/services/codesign-api:metrics/proxy/metrics`]);
    expect(metrics.stdout).toContain('http_requests_total');
    const refused = await kubectl.run(['get', '--raw', `/api/v1/namespaces/${NS}/pods/postgres-0:5432/proxy/`]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/error trying to reach service: dial tcp [\d.]+:5432: connect: connection refused/);
  });
});
