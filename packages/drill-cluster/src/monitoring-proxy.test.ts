import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from './backends/free-port';
import { MonitoringProxy } from './monitoring-proxy';
import { RESOURCE_KEYS } from './resources';
import { DrillApiServer } from './server';
import { MemoryObjectStore } from './store';

const TOKEN = 'unit-token';
let upstream: Server;
let seen: Array<{ method: string; url: string; authorization?: string; body: string }>;
let api: DrillApiServer;
let store: MemoryObjectStore;
let proxy: MonitoringProxy;

const readAll = async (req: IncomingMessage): Promise<string> => {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
};

beforeEach(async () => {
  seen = [];
  upstream = createServer((req, res) => {
    void readAll(req).then((body) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body });
      res.writeHead(req.url?.startsWith('/prometheus/') ? 200 : 404, { 'Content-Type': 'application/json', 'X-Upstream': 'yes' });
      res.end(JSON.stringify({ status: 'success', data: { echo: req.url } }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  store = new MemoryObjectStore();
  proxy = new MonitoringProxy();
  proxy.attach(store);
  api = await DrillApiServer.listen({ store, token: TOKEN, monitoring: proxy });
});

afterEach(async () => {
  await api.close();
  await new Promise((r) => upstream.close(r));
});

const upstreamUrl = (): string => `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
const call = (path: string, init: RequestInit = {}) =>
  fetch(`${api.url}${path}`, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string> | undefined) } });

describe('the service proxy to the drill’s monitoring', () => {
  it('forwards to the registered Prometheus under its sub-path, with the query and without the client’s token', async () => {
    proxy.register({ prometheus: `${upstreamUrl()}/prometheus` });
    const answer = await call('/api/v1/namespaces/monitoring/services/prometheus:9090/proxy/api/v1/query?query=up%7Bjob%3D%22drill%22%7D');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-upstream')).toBe('yes');
    expect(await answer.json()).toMatchObject({ data: { echo: '/prometheus/api/v1/query?query=up%7Bjob%3D%22drill%22%7D' } });
    expect(seen[0]).toEqual({ method: 'GET', url: '/prometheus/api/v1/query?query=up%7Bjob%3D%22drill%22%7D', body: '' });
    // By port name, and with an http: scheme prefix, as the real proxy allows.
    expect((await call('/api/v1/namespaces/monitoring/services/http:prometheus:web/proxy/-/ready')).status).toBe(200);
  });

  it('carries a POST body and the upstream’s status to Alertmanager, and makes its Service for discovery', async () => {
    expect(store.get(RESOURCE_KEYS.services, 'monitoring', 'alertmanager')).toBeUndefined();
    proxy.register({ alertmanager: `${upstreamUrl()}/prometheus/am/` });
    expect(store.get(RESOURCE_KEYS.services, 'monitoring', 'alertmanager')?.spec).toMatchObject({ ports: [{ name: 'web', port: 9093 }] });
    const body = JSON.stringify({ matchers: [{ name: 'alertname', value: 'X', isRegex: false }], comment: 'c' });
    const answer = await call('/api/v1/namespaces/monitoring/services/alertmanager:9093/proxy/api/v2/silences', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    expect(answer.status).toBe(200);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/prometheus/am/api/v2/silences', body });
    expect(proxy.registered()).toEqual({ alertmanager: `${upstreamUrl()}/prometheus/am` });
  });

  it('answers 503 saying what to do when nothing is registered, and when the registered one is down', async () => {
    const none = await call('/api/v1/namespaces/monitoring/services/prometheus:9090/proxy/api/v1/alerts');
    expect(none.status).toBe(503);
    expect(await none.json()).toMatchObject({ kind: 'Status', code: 503, reason: 'ServiceUnavailable', message: expect.stringMatching(/^no prometheus runs behind the drill's monitoring\/prometheus service: install Debian's prometheus .*PUT \/v1\/monitoring/) });
    const port = await freePort();
    proxy.register({ prometheus: `http://127.0.0.1:${port}` });
    const down = await call('/api/v1/namespaces/monitoring/services/prometheus:9090/proxy/api/v1/alerts');
    expect(down.status).toBe(503);
    expect(((await down.json()) as { message: string }).message).toBe(`error trying to reach service: dial tcp 127.0.0.1:${port}: connect: connection refused`);
  });

  it('refuses a registration that is not a plain http(s) base URL, keeping the last good one', () => {
    proxy.register({ prometheus: upstreamUrl() });
    expect(() => proxy.register({ prometheus: 'ftp://127.0.0.1/' })).toThrow(RangeError);
    expect(() => proxy.register({ prometheus: 'http://u:p@127.0.0.1:9090' })).toThrow(/plain base URL/);
    expect(() => proxy.register({ alertmanager: 'not a url' })).toThrow(/not a URL/);
    expect(proxy.registered()).toEqual({ prometheus: upstreamUrl() });
    proxy.register({ prometheus: '' });
    expect(proxy.registered()).toEqual({});
  });

  it('leaves other services and other ports to the cluster', async () => {
    proxy.register({ prometheus: upstreamUrl() });
    const other = await call('/api/v1/namespaces/monitoring/services/grafana:3000/proxy/');
    expect(other.status).toBe(404);
    expect(seen).toEqual([]);
  });
});
