import { KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DisposableStore } from '../../shared/lifetimes';
import { MemoryLogger } from '../app/logger';
import { KubeClient } from '../cluster/kube-client';
import { AlertSettingsStore } from './alert-settings';
import { AlertsService } from './alerts-service';

let server: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** An API server that lists services and proxies to a Prometheus under `/prometheus`, for a bearer token. */
async function fakeApiServer(seen: string[]): Promise<KubeConfig> {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== 'Bearer proxy-token') return res.writeHead(401).end('{}');
    if (req.url === '/api/v1/services')
      return res.end(
        JSON.stringify({
          items: [
            { metadata: { name: 'prometheus-operator', namespace: 'monitoring' }, spec: { ports: [{ port: 8080 }] } },
            { metadata: { name: 'prometheus-server', namespace: 'monitoring' }, spec: { ports: [{ name: 'http', port: 80 }] } },
            { metadata: { name: 'alertmanager-main', namespace: 'monitoring' }, spec: { ports: [{ name: 'web', port: 9093 }] } },
          ],
        }),
      );
    if (req.url === '/api/v1/namespaces/monitoring/services/prometheus-server:80/proxy/prometheus/api/v1/alerts')
      return res.end(JSON.stringify({ status: 'success', data: { alerts: [{ labels: { alertname: 'CodesignErrorRate', severity: 'critical' }, annotations: {}, state: 'firing' }] } }));
    if (req.url?.startsWith('/api/v1/namespaces/monitoring/services/prometheus-server:80/proxy/prometheus/api/v1/query'))
      return res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    res.writeHead(404).end(JSON.stringify({ kind: 'Status', message: 'not found' }));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const config = new KubeConfig();
  config.loadFromOptions({
    // client-node sends a token over plain HTTP only with skipTLSVerify (a test server; real ones are HTTPS).
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'proxy-token' }],
    contexts: [{ name: 'prod', cluster: 'c', user: 'u' }],
    currentContext: 'prod',
  });
  return config;
}

describe('alerts through the API server', () => {
  it('discovers prometheus / alertmanager services and reads alerts through the service proxy with a sub-path', async () => {
    const seen: string[] = [];
    const config = await fakeApiServer(seen);
    dir = await mkdtemp(path.join(tmpdir(), 'alerts-proxy-'));
    const service = new AlertsService({
      contexts: { current: 'prod', scope: new DisposableStore(), kubeConfig: async () => config, client: async () => new KubeClient('prod', config) },
      settings: new AlertSettingsStore(dir, new MemoryLogger()),
      runbook: undefined,
      log: { append: async () => Promise.reject(new Error('unused')) },
      logger: new MemoryLogger(),
    });
    const found = await service.source('prod');
    expect(found.note).toBeUndefined();
    expect(found).toMatchObject({
      origin: 'discovered',
      settings: { prometheus: { kind: 'service', namespace: 'monitoring', service: 'prometheus-server', port: 80 }, alertmanager: { kind: 'service', service: 'alertmanager-main', port: 9093 } },
      prometheus: 'monitoring/prometheus-server:80 via the API server',
    });

    const saved = await service.saveSettings('prod', { prometheus: { kind: 'service', namespace: 'monitoring', service: 'prometheus-server', port: 80, path: '/prometheus/' } });
    expect(saved).toMatchObject({ origin: 'saved', prometheus: 'monitoring/prometheus-server:80/prometheus via the API server' });
    const { prometheus } = await service.resolveSource('prod');
    const alerts = await prometheus!.alerts();
    prometheus!.dispose();
    expect(alerts.map((a) => a.labels.alertname)).toEqual(['CodesignErrorRate']);
    expect(seen).toContain('GET /api/v1/namespaces/monitoring/services/prometheus-server:80/proxy/prometheus/api/v1/alerts Bearer proxy-token');
  });

  it('looks again for a discovered source, so an Alertmanager that appears later is picked up by itself', async () => {
    const config = await fakeApiServer([]);
    dir = await mkdtemp(path.join(tmpdir(), 'alerts-proxy-'));
    let now = 1_000_000;
    let services = [{ metadata: { name: 'prometheus-server', namespace: 'monitoring' }, spec: { ports: [{ name: 'http', port: 80 }] } }];
    const client = {
      getJson: async () => ({ items: services }),
      dispose: () => undefined,
    } as unknown as KubeClient;
    const service = new AlertsService({
      contexts: { current: 'prod', scope: new DisposableStore(), kubeConfig: async () => config, client: async () => client },
      settings: new AlertSettingsStore(dir, new MemoryLogger()),
      runbook: undefined,
      log: { append: async () => Promise.reject(new Error('unused')) },
      logger: new MemoryLogger(),
      now: () => now,
      defaultIntervalMs: 20,
    });
    const events: Array<{ type: string; source?: { alertmanager?: string } }> = [];
    const sink = { emit: (e: (typeof events)[number]) => events.push(e), end: () => undefined, fail: () => undefined, paused: false, closed: false, onDidPause: () => ({ dispose: () => undefined }), onDidResume: () => ({ dispose: () => undefined }) };
    const watch = service.watch({ context: 'prod' }, sink as never);
    const waitFor = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(check()).toBe(true);
    };
    await waitFor(() => events.length > 0);
    expect(events.at(-1)?.source?.alertmanager).toBeUndefined();
    services = [...services, { metadata: { name: 'alertmanager', namespace: 'monitoring' }, spec: { ports: [{ name: 'web', port: 9093 }] } }];
    const before = events.length;
    await waitFor(() => events.length > before + 2);
    expect(events.at(-1)?.source?.alertmanager).toBeUndefined();
    now += 31_000;
    await waitFor(() => events.at(-1)?.source?.alertmanager === 'monitoring/alertmanager:9093 via the API server');
    watch.dispose();
  });
});
