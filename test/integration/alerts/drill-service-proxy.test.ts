/**
 * Discovery through the drill's API server, end to end: with nothing set, the cockpit finds the
 * drill's monitoring/prometheus and monitoring/alertmanager services, and the API server's service
 * proxy carries every request (alerts, queries, Alertmanager groups, a silence's POST and DELETE)
 * to the real Prometheus and Alertmanager registered behind them. Unregistered, the proxy's 503
 * says what to do, and the cockpit shows it as stale.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSettingsStore } from '../../../src/main/alerts/alert-settings';
import { AlertsService } from '../../../src/main/alerts/alerts-service';
import { MemoryLogger } from '../../../src/main/app/logger';
import { KubeClient } from '../../../src/main/cluster/kube-client';
import { silenceMatchersFor } from '../../../src/shared/alerts/alert-key';
import type { AlertsEvent, AlertsSnapshot } from '../../../src/shared/contract/alerts';
import { DisposableStore } from '../../../src/shared/lifetimes';
import { collectingSink } from './collecting-sink';
import { startAlertsDrill, type AlertsDrill } from './drill-fixture';
import { ALERTMANAGER_BIN, PROMETHEUS_BIN, bundledRunbook, startMonitoring, type MonitoringStack } from './prometheus-harness';

async function until<T>(what: string, get: () => T | undefined | Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const lastSnapshot = (sink: { events: AlertsEvent[] }): AlertsSnapshot | undefined => {
  const last = sink.events[sink.events.length - 1];
  return last?.type === 'snapshot' ? last : undefined;
};

describe.skipIf(!PROMETHEUS_BIN || !ALERTMANAGER_BIN)('alerts discovered through the drill’s service proxy', () => {
  let drill: AlertsDrill;
  let stack: MonitoringStack;
  let dir: string;
  let scope: DisposableStore;
  let service: AlertsService;

  beforeAll(async () => {
    drill = await startAlertsDrill();
    stack = await startMonitoring(drill);
    drill.registerMonitoring({ prometheus: stack.prometheusUrl, alertmanager: stack.alertmanagerUrl! });
    const config = new KubeConfig();
    config.loadFromString(drill.kubeconfig('drill'));
    dir = await mkdtemp(path.join(tmpdir(), 'alerts-drill-proxy-'));
    scope = new DisposableStore();
    const logger = new MemoryLogger();
    service = new AlertsService({
      contexts: { current: 'drill', scope, kubeConfig: async () => config, client: async () => new KubeClient('drill', config) },
      settings: new AlertSettingsStore(dir, logger),
      runbook: await bundledRunbook(),
      log: { append: async () => Promise.reject(new Error('no incident in this test')) },
      logger,
      defaultIntervalMs: 1000,
      requestTimeoutMs: 5000,
    });
  });

  afterAll(async () => {
    scope?.dispose();
    await stack?.stop();
    await drill?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds monitoring/prometheus and monitoring/alertmanager with nothing set', async () => {
    expect(await service.source('drill')).toMatchObject({
      origin: 'discovered',
      prometheus: 'monitoring/prometheus:9090 via the API server',
      alertmanager: 'monitoring/alertmanager:9093 via the API server',
    });
  });

  it('lists the firing alert, Alertmanager’s group and a silence, all through the proxy', async () => {
    const sink = collectingSink();
    const watch = service.watch({ context: 'drill' }, sink);
    try {
      drill.setScenario('error-spike', true);
      const snapshot = await until('CodesignErrorRate critical in the cockpit, with Alertmanager’s group', () => {
        const s = lastSnapshot(sink);
        const firing = s?.groups.find((g) => g.name === 'CodesignErrorRate')?.alerts.some((a) => a.level === 'critical' && a.state === 'firing');
        return firing && s?.alertmanager?.groups.some((g) => g.labels.alertname === 'CodesignErrorRate') ? s : undefined;
      }, 180_000);
      expect(snapshot.stale).toBeUndefined();
      expect(snapshot.source).toMatchObject({ origin: 'discovered', prometheus: 'monitoring/prometheus:9090 via the API server' });
      expect(snapshot.thresholds.find((t) => t.id === 'error-rate')?.value).toBeGreaterThan(10);
      const alert = snapshot.groups.find((g) => g.name === 'CodesignErrorRate')!.alerts.find((a) => a.level === 'critical')!;

      const silence = await service.silence({ context: 'drill', matchers: silenceMatchersFor(alert.labels), durationMinutes: 15, comment: 'drill: through the service proxy', actor: 'tester' });
      const held = (await (await fetch(`${stack.alertmanagerUrl}/api/v2/silence/${silence.id}`)).json()) as { status: { state: string }; comment: string };
      expect(held).toMatchObject({ status: { state: 'active' }, comment: 'drill: through the service proxy' });
      expect((await service.silences('drill')).find((s) => s.id === silence.id)?.state).toBe('active');
      await service.expireSilence({ context: 'drill', silenceId: silence.id, actor: 'tester' });
      expect((await service.silences('drill')).find((s) => s.id === silence.id)?.state).toBe('expired');
    } finally {
      drill.setScenario('error-spike', false);
      watch.dispose();
    }
  }, 240_000);

  it('nothing behind the service: stale with the proxy’s 503 naming what to do; registered again: recovers', async () => {
    const sink = collectingSink();
    const watch = service.watch({ context: 'drill' }, sink);
    try {
      await until('a good snapshot', () => (lastSnapshot(sink) && !lastSnapshot(sink)!.stale ? true : undefined));
      drill.registerMonitoring({ prometheus: '' });
      const stale = await until('the stale state', () => lastSnapshot(sink)?.stale);
      expect(stale.error.message).toMatch(/monitoring\/prometheus:9090 via the API server: .*HTTP 503: no prometheus runs behind the drill's monitoring\/prometheus service: install Debian's prometheus/);
      drill.registerMonitoring({ prometheus: stack.prometheusUrl });
      await until('recovery', () => (lastSnapshot(sink) && !lastSnapshot(sink)!.stale ? true : undefined));
    } finally {
      watch.dispose();
    }
  }, 120_000);
});
