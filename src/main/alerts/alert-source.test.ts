import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../app/logger';
import { alertmanagerGroups, groupAlerts } from './alert-grouping';
import { AlertSettingsStore } from './alert-settings';
import { AlertmanagerClient, PrometheusClient } from './alert-source';
import { UrlTransport } from './http-transport';

let server: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function serve(answer: (url: string, method: string) => { status: number; body: string }): Promise<string> {
  server = createServer((req, res) => {
    const a = answer(req.url ?? '', req.method ?? 'GET');
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(a.body);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const address = server.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

describe('PrometheusClient', () => {
  it('reads firing and pending alerts, and under a sub-path', async () => {
    const seen: string[] = [];
    const url = await serve((u) => {
      seen.push(u);
      return {
        status: 200,
        body: JSON.stringify({ status: 'success', data: { alerts: [{ labels: { alertname: 'A', severity: 'critical' }, annotations: { summary: 's' }, state: 'firing', activeAt: '2026-12-01T00:00:00Z', value: '12' }] } }),
      };
    });
    const client = new PrometheusClient(new UrlTransport(new URL(`${url}/prometheus/`)));
    const alerts = await client.alerts();
    client.dispose();
    expect(seen).toEqual(['/prometheus/api/v1/alerts']);
    expect(alerts).toEqual([{ labels: { alertname: 'A', severity: 'critical' }, annotations: { summary: 's' }, state: 'firing', activeAt: '2026-12-01T00:00:00Z', value: '12' }]);
  });

  it('names an HTML page, a 404, a Prometheus error and a refused connection in words', async () => {
    let mode = 'html';
    const url = await serve(() =>
      mode === 'html'
        ? { status: 200, body: '<html>login</html>' }
        : mode === '404'
          ? { status: 404, body: '' }
          : { status: 400, body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 3' }) },
    );
    const client = new PrometheusClient(new UrlTransport(new URL(url)));
    await expect(client.alerts()).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringContaining('an HTML page') });
    mode = '404';
    await expect(client.alerts()).rejects.toMatchObject({ code: 'NotFound', message: expect.stringContaining('sub-path') });
    mode = 'error';
    await expect(client.query('sum(')).rejects.toMatchObject({ code: 'Invalid', message: expect.stringContaining('parse error at char 3') });
    client.dispose();
    await new Promise((r) => server!.close(r));
    server = undefined;
    const gone = new PrometheusClient(new UrlTransport(new URL(url)));
    await expect(gone.alerts()).rejects.toMatchObject({ code: 'Unreachable', message: expect.stringContaining('connection refused') });
    gone.dispose();
  });
});

describe('AlertmanagerClient', () => {
  it('creates, lists and expires silences with the v2 API', async () => {
    const calls: string[] = [];
    const url = await serve((u, m) => {
      calls.push(`${m} ${u}`);
      if (m === 'POST') return { status: 200, body: JSON.stringify({ silenceID: 'abc-1' }) };
      if (m === 'DELETE') return { status: 200, body: '' };
      return { status: 200, body: JSON.stringify([{ id: 'abc-1', status: { state: 'active' }, matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }], startsAt: 's', endsAt: 'e', createdBy: 'me', comment: 'c' }]) };
    });
    const am = new AlertmanagerClient(new UrlTransport(new URL(url)));
    expect(await am.createSilence({ matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }], startsAt: 's', endsAt: 'e', createdBy: 'me', comment: 'c' })).toBe('abc-1');
    expect((await am.silences())[0]).toMatchObject({ id: 'abc-1', state: 'active', comment: 'c' });
    await am.expireSilence('abc-1');
    am.dispose();
    expect(calls).toEqual(['POST /api/v2/silences', 'GET /api/v2/silences', 'DELETE /api/v2/silence/abc-1']);
  });
});

describe('grouping', () => {
  it('groups by alert name, critical first, firing before pending, with silences from Alertmanager', () => {
    const am = alertmanagerGroups([
      { labels: { alertname: 'B' }, receiver: { name: 'r' }, alerts: [{ labels: { alertname: 'B', severity: 'critical' }, annotations: {}, startsAt: 'x', status: { state: 'suppressed', silencedBy: ['s1'], inhibitedBy: [] } }] },
    ]);
    const groups = groupAlerts(
      undefined,
      [
        { labels: { alertname: 'A', severity: 'warning' }, annotations: {}, state: 'firing' },
        { labels: { alertname: 'B', severity: 'warning', pod: 'p1' }, annotations: {}, state: 'pending' },
        { labels: { alertname: 'B', severity: 'critical' }, annotations: {}, state: 'firing' },
        { labels: { alertname: 'C' }, annotations: {}, state: 'inactive' },
      ],
      am.silencedBy,
    );
    expect(groups.map((g) => [g.name, g.worst, g.firing, g.pending])).toEqual([
      ['B', 'critical', 1, 1],
      ['A', 'warning', 1, 0],
    ]);
    expect(groups[0]!.alerts[0]).toMatchObject({ state: 'firing', level: 'critical', silencedBy: ['s1'], incidentSeverity: 'SEV2' });
    expect(am.groups[0]!.alerts[0]!.state).toBe('suppressed');
  });
});

describe('AlertSettingsStore', () => {
  it('persists per context in a 0600 file in a 0700 folder, and survives a damaged file', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alert-settings-'));
    const logger = new MemoryLogger();
    const store = new AlertSettingsStore(dir, logger);
    await store.set('prod', { prometheus: { kind: 'url', url: 'http://prom:9090' } });
    expect((await stat(store.file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(store.file))).mode & 0o777).toBe(0o700);
    expect(await new AlertSettingsStore(dir, logger).get('prod')).toEqual({ prometheus: { kind: 'url', url: 'http://prom:9090' } });
    await store.set('prod', {});
    expect(await new AlertSettingsStore(dir, logger).get('prod')).toBeUndefined();

    const other = await mkdtemp(path.join(tmpdir(), 'alert-settings-bad-'));
    await mkdir(path.join(other, 'alerts'));
    await writeFile(path.join(other, 'alerts', 'settings.json'), '{ not json');
    expect(await new AlertSettingsStore(other, logger).get('prod')).toBeUndefined();
    expect(logger.entries.some((e) => e.event === 'alerts.settings-invalid')).toBe(true);
    await rm(other, { recursive: true, force: true });
  });
});
