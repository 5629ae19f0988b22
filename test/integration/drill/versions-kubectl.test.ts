/**
 * One source of truth per version and name (issue 16): the postgres image, psql's banner in
 * `kubectl exec`, pg_dump's header and the server behind `kubectl port-forward` all say the
 * PostgreSQL the drill really serves; `codesign_db` exists; no two live pods share an IP.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../packages/drill-cluster/src/backends/free-port';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { postgresVersion } from '../../../packages/drill-cluster/src/world/versions';
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';
let cluster: DrillCluster;
let kubectl: KubectlHarness;

beforeAll(async () => {
  cluster = await DrillCluster.start({ speed: 30, postgres: 'pglite', redis: 'none' });
  kubectl = await KubectlHarness.create(cluster);
});

afterAll(async () => {
  await kubectl?.dispose();
  await cluster?.stop();
});

async function run(args: string[]): Promise<string> {
  const result = await kubectl.run(args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

describe('versions and names agree', () => {
  it('the image, psql, pg_dump and the forwarded server all say the same PostgreSQL, and codesign_db exists', async () => {
    expect(await run(['get', 'statefulset', 'postgres', '-n', NS, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe(`postgres:${postgresVersion()}`);
    const version = await run(['exec', '-n', NS, 'postgres-0', '--', 'psql', '-U', 'codesign', '-d', 'codesign_db', '-t', '-c', 'SELECT version()']);
    expect(version).toContain(`PostgreSQL ${postgresVersion()}`);
    const dump = await run(['exec', '-n', NS, 'postgres-0', '--', 'pg_dump', '-U', 'codesign', '-s', 'codesign_db']);
    expect(dump).toContain(`-- Dumped from database version ${postgresVersion()}`);

    const localPort = await freePort();
    const forward = kubectl.spawn(['port-forward', '-n', NS, 'pod/postgres-0', `${localPort}:5432`], { requestTimeout: false });
    try {
      let out = '';
      forward.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const deadline = Date.now() + 20_000;
      while (!out.includes('Forwarding from') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const client = new pg.Client({ host: '127.0.0.1', port: localPort, user: 'codesign', database: 'codesign_db' });
      await client.connect();
      try {
        const row = (await client.query<{ version: string; db: string }>('SELECT version() AS version, current_database() AS db')).rows[0]!;
        expect(row.version).toMatch(new RegExp(`^PostgreSQL ${postgresVersion().replace('.', '\\.')}\\b`));
        expect(row.db).toBe('codesign_db');
        const names = (await client.query<{ datname: string }>('SELECT datname FROM pg_database')).rows.map((r) => r.datname);
        expect(names).toContain('codesign_db');
      } finally {
        await client.end();
      }
    } finally {
      forward.kill('SIGTERM');
    }
  });

  it('gives every live pod its own IP, also after pods are replaced', async () => {
    await run(['rollout', 'restart', 'deployment/codesign-api', '-n', NS]);
    await run(['rollout', 'status', 'deployment/codesign-api', '-n', NS, '--timeout=60s']);
    await run(['delete', 'pod', '-n', NS, '-l', 'app=celery-worker', '--grace-period=1']);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const pods = await kubectl.json<{ items: Array<{ metadata: { name: string; deletionTimestamp?: string }; status: { phase?: string; podIP?: string } }> }>([
        'get',
        'pods',
        '-A',
      ]);
      const live = pods.items.filter((p) => p.status.podIP && !p.metadata.deletionTimestamp && p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed');
      const hostNetwork = new Set(['kube-proxy', 'node-exporter']);
      const ips = live.filter((p) => ![...hostNetwork].some((h) => p.metadata.name.startsWith(h))).map((p) => p.status.podIP as string);
      const celery = live.filter((p) => p.metadata.name.startsWith('celery-worker')).length;
      if (celery >= 2 || Date.now() > deadline) {
        expect(new Set(ips).size, `duplicate pod IPs: ${ips.sort().join(' ')}`).toBe(ips.length);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
});
