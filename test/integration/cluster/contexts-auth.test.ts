/**
 * Contexts against the drill cluster as kubectl would use them: exec credential plugins that
 * work, fail or hang; a wrong token; an untrusted CA; a kubeconfig edited on disk while the
 * cockpit watches it.
 */
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/main/app/logger';
import { ClusterService } from '../../../src/main/cluster/cluster-service';
import { Informer } from '../../../src/main/cluster/informer';
import { ContextService } from '../../../src/main/contexts/context-service';
import type { IDisposable } from '../../../src/shared/lifetimes';
import { DRILL_NS, startDrill, type DrillFixture } from './drill-fixture';

let drill: DrillFixture;
let dir: string;
const disposables: IDisposable[] = [];

beforeAll(async () => {
  drill = await startDrill();
  dir = await mkdtemp(path.join(os.tmpdir(), 'cluster-auth-'));
});
afterAll(async () => {
  await drill?.stop();
});
afterEach(() => {
  for (const d of disposables.splice(0).reverse()) d.dispose();
});

type Kubeconfig = { clusters: Array<{ cluster: Record<string, unknown> }>; users: Array<{ name: string; user: Record<string, unknown> }>; contexts: Array<{ name: string }>; 'current-context': string };

/** The drill's kubeconfig with its user replaced. */
function withUser(user: Record<string, unknown>, contextName = 'drill'): string {
  const config = parse(drill.kubeconfig(contextName)) as Kubeconfig;
  config.users[0]!.user = user;
  return stringify(config);
}

async function plugin(name: string, body: string): Promise<string> {
  const file = path.join(dir, `${name}.mjs`);
  await writeFile(file, body);
  await chmod(file, 0o755);
  return file;
}

const execUser = (script: string) => ({
  exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [script], interactiveMode: 'Never' },
});

async function service(kubeconfig: string, options: { watchFiles?: boolean; authTimeoutMs?: number } = {}) {
  const file = path.join(await mkdtemp(path.join(dir, 'cfg-')), 'config');
  await writeFile(file, kubeconfig);
  const logger = new MemoryLogger();
  const s = new ContextService({
    paths: [file],
    logger,
    drillKubeconfig: async () => undefined,
    watchFiles: options.watchFiles ?? false,
    reloadDelayMs: 50,
    healthIntervalMs: 0,
    client: { authTimeoutMs: options.authTimeoutMs ?? 10_000 },
  });
  disposables.push(s);
  await s.list();
  return { s, file, logger };
}

describe('exec credential plugins', () => {
  it('authenticates with the token an ExecCredential prints', async () => {
    const ok = await plugin('ok', `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: ${JSON.stringify(drill.token)} } }));`);
    const { s } = await service(withUser(execUser(ok)));
    expect((await s.list()).contexts[0]!.auth).toBe('exec');
    expect(await s.checkHealth('drill')).toMatchObject({ state: 'reachable', version: expect.stringMatching(/^v1\./) });
    const informer = new Informer(await s.client(), 'pods', DRILL_NS, new MemoryLogger()).start();
    disposables.push(informer);
    await expect.poll(() => informer.synced, { timeout: 10_000 }).toBe(true);
    expect(informer.list.items.size).toBeGreaterThan(0);
  });

  it('names a failing plugin with its stderr, secrets redacted', async () => {
    const failing = await plugin('fail', `process.stderr.write('error: refresh failed for alice@example.com: token=ya29.A0ARrdaM-very-secret-refresh-value\\n'); process.exit(3);`);
    const { s, logger } = await service(withUser(execUser(failing)));
    const health = await s.checkHealth('drill');
    expect(health.state).toBe('exec-failed');
    expect(health.message).toContain('the exec credential plugin');
    expect(health.message).toContain('refresh failed for alice@example.com');
    expect(health.message).not.toContain('very-secret-refresh-value');
    expect(JSON.stringify(logger.entries)).not.toContain('very-secret-refresh-value');
    expect(logger.entries.some((e) => e.event === 'context.unhealthy')).toBe(true);
  });

  it('gives up on a slow plugin with a Timeout, and main keeps running meanwhile', async () => {
    const slow = await plugin('slow', `setTimeout(() => process.stdout.write('{}'), 60_000);`);
    const { s } = await service(withUser(execUser(slow)), { authTimeoutMs: 1500 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 100);
    try {
      const health = await s.checkHealth('drill');
      expect(health).toMatchObject({ state: 'exec-failed', message: expect.stringContaining('did not answer within 1.5 s') });
      expect(ticks).toBeGreaterThan(3);
    } finally {
      clearInterval(timer);
    }
  });
});

describe('contexts that cannot get in', () => {
  it('an unauthorized context: health says so, the informer fails with Unauthorized and keeps the others apart', async () => {
    const { s } = await service(withUser({ token: 'wrong-token-value' }));
    expect(await s.checkHealth('drill')).toMatchObject({ state: 'unauthorized', message: expect.stringContaining('401 Unauthorized') });
    const informer = new Informer(await s.client(), 'pods', DRILL_NS, new MemoryLogger(), { deniedRetryMs: 60_000 }).start();
    disposables.push(informer);
    await expect.poll(() => informer.state.state, { timeout: 10_000 }).toBe('failed');
    expect(informer.state.error).toMatchObject({ code: 'Unauthorized', context: 'drill', resource: 'pods', namespace: DRILL_NS });
    expect(JSON.stringify(informer.state)).not.toContain('wrong-token-value');
  });

  it('an untrusted server certificate is a TLS error naming the reason', async () => {
    const config = parse(withUser({ token: drill.token })) as Kubeconfig;
    delete config.clusters[0]!.cluster['certificate-authority-data'];
    const { s } = await service(stringify(config));
    const health = await s.checkHealth('drill');
    expect(health.state).toBe('tls-error');
    expect(health.message).toMatch(/self-signed|unknown CA/);
  });

  it('an unreachable server says which address', async () => {
    const config = parse(withUser({ token: drill.token })) as Kubeconfig;
    config.clusters[0]!.cluster.server = 'https://127.0.0.1:1';
    const { s } = await service(stringify(config));
    expect(await s.checkHealth('drill')).toMatchObject({ state: 'unreachable', message: expect.stringContaining('127.0.0.1:1: connection refused') });
  });
});

describe('a kubeconfig edited on disk', () => {
  it('is picked up: fixing the token restarts the context’s informers with the new credentials', async () => {
    const { s, file } = await service(withUser({ token: 'stale-token' }), { watchFiles: true });
    const cluster = new ClusterService({ contexts: s, logger: new MemoryLogger() }, { informer: { deniedRetryMs: 60_000 } });
    const first = await cluster.acquire('drill', 'pods', DRILL_NS);
    await expect.poll(() => first.informer.state.state, { timeout: 10_000 }).toBe('failed');
    const reasons: string[] = [];
    disposables.push(s.onDidChangeContext((c) => reasons.push(c.reason)));
    await writeFile(file, withUser({ token: drill.token }));
    await expect.poll(() => reasons, { timeout: 5000 }).toContain('reloaded');
    expect(cluster.informerCount).toBe(0);
    const second = await cluster.acquire('drill', 'pods', DRILL_NS);
    disposables.push(second.handle);
    await expect.poll(() => second.informer.state.state, { timeout: 10_000 }).toBe('watching');
    expect(second.informer.list.items.size).toBe(drill.list('pods').length);

    await writeFile(file, withUser({ token: drill.token }) + '\ncontexts: [}\n');
    await expect.poll(async () => (await s.list()).problems.map((p) => p.file), { timeout: 5000 }).toEqual([file]);
  });
});
