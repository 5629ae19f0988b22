import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillControlServer } from './control-server';
import { DrillRuntime } from './drill-runtime';
import { RESOURCE_KEYS } from './resources';

let dir: string;
let runtime: DrillRuntime;
let control: DrillControlServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'drill-monitoring-control-'));
  runtime = await DrillRuntime.start({ kubeconfigPath: path.join(dir, 'kubeconfig'), postgres: 'none', redis: 'none' });
  control = await DrillControlServer.listen(runtime);
});

afterAll(async () => {
  await control?.close();
  await runtime?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const put = async (body: string): Promise<{ status: number; body: Record<string, unknown> }> => {
  const answer = await fetch(`${control.url}/v1/monitoring`, { method: 'PUT', headers: { Authorization: `Bearer ${control.token}`, 'Content-Type': 'application/json' }, body });
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
};

describe('PUT /v1/monitoring', () => {
  it('registers what the monitoring services proxy to, and the registration outlives a reset', async () => {
    expect(await put(JSON.stringify({ prometheus: 'http://127.0.0.1:19090', alertmanager: 'http://127.0.0.1:19093/am' }))).toEqual({
      status: 200,
      body: { prometheus: 'http://127.0.0.1:19090', alertmanager: 'http://127.0.0.1:19093/am' },
    });
    await runtime.reset();
    expect(runtime.cluster.monitoring.registered()).toEqual({ prometheus: 'http://127.0.0.1:19090', alertmanager: 'http://127.0.0.1:19093/am' });
    expect(runtime.cluster.store.get(RESOURCE_KEYS.services, 'monitoring', 'alertmanager')).toBeDefined();
  });

  it('refuses a body that is not {prometheus?, alertmanager?} of URLs, by name', async () => {
    expect(await put('{"grafana":"http://x"}')).toMatchObject({ status: 400, body: { code: 'Invalid', message: expect.stringContaining('"prometheus"?') } });
    expect(await put('{"prometheus":"file:///etc/passwd"}')).toMatchObject({ status: 400, body: { code: 'Invalid', message: 'prometheus: file:///etc/passwd must be http(s)' } });
    expect(await put('[1]')).toMatchObject({ status: 400 });
    const get = await fetch(`${control.url}/v1/monitoring`, { headers: { Authorization: `Bearer ${control.token}` } });
    expect(get.status).toBe(405);
  });
});
