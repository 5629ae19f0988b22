/**
 * The drill control API (`/drill/scenarios`, `/drill/metrics`) on a cluster running the real
 * world: token required, scenarios injected and cleared, Prometheus text served.
 */
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { SCENARIO_NAMES } from '../../../packages/drill-cluster/src/types';

let cluster: DrillCluster;

function call(method: string, path: string, token: string | null = cluster.token): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${cluster.url}${path}`,
      { method, ca: cluster.caCertificate, headers: token === null ? {} : { Authorization: `Bearer ${token}` } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  cluster = await DrillCluster.start({ postgres: 'none', redis: 'none' });
});

afterAll(async () => {
  await cluster?.stop();
});

describe('drill control API', () => {
  it('needs the token', async () => {
    expect((await call('GET', '/drill/scenarios', null)).status).toBe(401);
    expect((await call('GET', '/drill/metrics', 'wrong')).status).toBe(401);
  });

  it('lists, injects and clears scenarios', async () => {
    const listed = JSON.parse((await call('GET', '/drill/scenarios')).body) as { available: string[]; active: string[] };
    expect(listed.available).toEqual([...SCENARIO_NAMES]);
    expect(listed.active).toEqual([]);
    const injected = await call('POST', '/drill/scenarios/high-latency');
    expect(injected.status).toBe(200);
    expect(JSON.parse(injected.body).active).toEqual(['high-latency']);
    expect(cluster.world.scenarios.active()).toEqual(['high-latency']);
    const cleared = await call('DELETE', '/drill/scenarios/high-latency');
    expect(JSON.parse(cleared.body).active).toEqual([]);
    expect(cluster.world.scenarios.active()).toEqual([]);
  });

  it('answers an unknown scenario with a NotFound Status', async () => {
    const answer = await call('POST', '/drill/scenarios/meteor-strike');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ kind: 'Status', reason: 'NotFound' });
  });

  it('serves the Prometheus exposition of the simulated application', async () => {
    const answer = await call('GET', '/drill/metrics');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('text/plain; version=0.0.4');
    expect(answer.body).toMatch(/^# (HELP|TYPE) /m);
    const typeLines = (text: string) => text.split('\n').filter((line) => line.startsWith('# TYPE ')).sort();
    expect(typeLines(answer.body).length).toBeGreaterThan(0);
    expect(typeLines(answer.body)).toEqual(typeLines(cluster.world.prometheusText()));
  });
});
