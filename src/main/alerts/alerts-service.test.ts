import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertsEvent } from '../../shared/contract/alerts';
import { DisposableStore, Emitter } from '../../shared/lifetimes';
import { MemoryLogger } from '../app/logger';
import type { StreamSink } from '../host/dispatcher';
import { AlertSettingsStore } from './alert-settings';
import { AlertsService } from './alerts-service';

let server: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

function pausableSink() {
  const pause = new Emitter<void>();
  const resume = new Emitter<void>();
  const sink = {
    events: [] as AlertsEvent[],
    paused: false,
    closed: false,
    onDidPause: pause.event,
    onDidResume: resume.event,
    emit(e: AlertsEvent) {
      sink.events.push(e);
    },
    end() {
      sink.closed = true;
    },
    fail() {
      sink.closed = true;
    },
    resume() {
      sink.paused = false;
      resume.fire();
    },
  };
  return sink as typeof sink & StreamSink<AlertsEvent>;
}

async function service(): Promise<{ service: AlertsService; scope: DisposableStore; polls: () => number }> {
  let polls = 0;
  server = createServer((req, res) => {
    if (req.url?.startsWith('/api/v1/alerts')) polls++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: { alerts: [] } }));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  dir = await mkdtemp(path.join(tmpdir(), 'alerts-service-'));
  const scope = new DisposableStore();
  const alerts = new AlertsService({
    contexts: { current: 'drill', scope, kubeConfig: () => Promise.reject(new Error('none')), client: () => Promise.reject(new Error('none')) },
    settings: new AlertSettingsStore(dir, new MemoryLogger()),
    runbook: undefined,
    log: { append: () => Promise.reject(new Error('unused')) },
    logger: new MemoryLogger(),
    preconfigured: (context) => (context === 'drill' ? { prometheus: { kind: 'url', url } } : undefined),
    defaultIntervalMs: 30,
  });
  return { service: alerts, scope, polls: () => polls };
}

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('AlertsService.watch', () => {
  it('refuses a context that is not the current one', async () => {
    const { service: alerts, scope } = await service();
    expect(() => alerts.watch({ context: 'prod' }, pausableSink())).toThrow(/not the current one/);
    scope.dispose();
  });

  it('shares one poll between subscribers and stops it with the last one', async () => {
    const { service: alerts, scope, polls } = await service();
    const a = pausableSink();
    const b = pausableSink();
    const wa = alerts.watch({ context: 'drill' }, a);
    const wb = alerts.watch({ context: 'drill' }, b);
    await until(() => a.events.length >= 3 && b.events.length >= 3);
    expect(alerts.livePollers).toBe(1);
    expect(polls()).toBeLessThanOrEqual(Math.max(a.events.length, b.events.length) + 1);
    wa.dispose();
    wb.dispose();
    expect(alerts.livePollers).toBe(0);
    const after = polls();
    await new Promise((r) => setTimeout(r, 120));
    expect(polls()).toBeLessThanOrEqual(after + 1);
    scope.dispose();
  });

  it('holds only the newest snapshot while the reader is paused, and sends it on resume', async () => {
    const { service: alerts, scope, polls } = await service();
    const sink = pausableSink();
    const watch = alerts.watch({ context: 'drill' }, sink);
    await until(() => sink.events.length >= 1);
    sink.paused = true;
    const before = sink.events.length;
    const pollsBefore = polls();
    await until(() => polls() >= pollsBefore + 4);
    expect(sink.events.length).toBe(before);
    sink.resume();
    expect(sink.events.length).toBe(before + 1);
    watch.dispose();
    scope.dispose();
  });
});
