/**
 * The alerts service against a real Prometheus and Alertmanager scraping the drill's exporter
 * with the generated rules: the error spike fires the critical error-rate alert in Prometheus,
 * Alertmanager and the cockpit; a silence from the cockpit is held by Alertmanager and recorded
 * as a change in the incident; clearing the scenario resolves it; high latency puts P95 over the
 * 2 s and then the 5 s line in the threshold readings and fires the critical P95 rule; Prometheus stopped is stale with the last good time, and
 * restarted it recovers by itself.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSettingsStore } from '../../../src/main/alerts/alert-settings';
import { AlertsService } from '../../../src/main/alerts/alerts-service';
import { MemoryLogger } from '../../../src/main/app/logger';
import { IncidentService } from '../../../src/main/incidents/incident-service';
import type { AlertsEvent, AlertsSnapshot } from '../../../src/shared/contract/alerts';
import { silenceMatchersFor } from '../../../src/shared/alerts/alert-key';
import { DisposableStore } from '../../../src/shared/lifetimes';
import type { Runbook } from '../../../src/shared/runbook/schema';
import { collectingSink } from './collecting-sink';
import { startAlertsDrill, type AlertsDrill } from './drill-fixture';
import { MemoryRecordLog } from './memory-record-log';
import { ALERTMANAGER_BIN, PROMETHEUS_BIN, bundledRunbook, startMonitoring, type MonitoringStack } from './prometheus-harness';

async function until<T>(what: string, get: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const lastSnapshot = (sink: { events: AlertsEvent[] }): AlertsSnapshot | undefined => {
  const last = sink.events[sink.events.length - 1];
  return last?.type === 'snapshot' ? last : undefined;
};

describe.skipIf(!PROMETHEUS_BIN || !ALERTMANAGER_BIN)('alerts against a real Prometheus and Alertmanager', () => {
  let drill: AlertsDrill;
  let stack: MonitoringStack;
  let dir: string;
  let runbook: Runbook;
  let scope: DisposableStore;
  let service: AlertsService;
  let log: MemoryRecordLog;
  let incidents: IncidentService;
  let settings: AlertSettingsStore;

  beforeAll(async () => {
    runbook = await bundledRunbook();
    drill = await startAlertsDrill({ speed: 5 });
    stack = await startMonitoring(drill);
    dir = await mkdtemp(path.join(tmpdir(), 'alerts-service-'));
    scope = new DisposableStore();
    log = new MemoryRecordLog();
    const logger = new MemoryLogger();
    incidents = new IncidentService({ log, runbook, logger });
    settings = new AlertSettingsStore(dir, logger);
    service = new AlertsService({
      contexts: {
        current: 'drill',
        scope,
        kubeConfig: () => Promise.reject(new Error('no kubeconfig in this test')),
        client: () => Promise.reject(new Error('no kubeconfig in this test')),
      },
      settings,
      runbook,
      incidents,
      log,
      logger,
      defaultIntervalMs: 1000,
      sparklineIntervalMs: 5000,
      requestTimeoutMs: 2000,
    });
    await service.saveSettings('drill', { prometheus: { kind: 'url', url: stack.prometheusUrl }, alertmanager: { kind: 'url', url: stack.alertmanagerUrl! }, intervalSeconds: 1 });
  });

  afterAll(async () => {
    scope?.dispose();
    incidents?.dispose();
    await stack?.stop();
    await drill?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the saved settings in a private file', async () => {
    expect((await stat(settings.file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(settings.file))).mode & 0o777).toBe(0o700);
    expect(await service.source('drill')).toMatchObject({ origin: 'saved', prometheus: stack.prometheusUrl, alertmanager: stack.alertmanagerUrl });
  });

  it('error spike: critical error-rate fires in Prometheus, Alertmanager and the cockpit; a silence holds; clearing resolves it', async () => {
    const sink = collectingSink();
    const watch = service.watch({ context: 'drill' }, sink);
    try {
      drill.setScenario('error-spike', true);
      const isCritical = (labels: Record<string, string>): boolean => labels.alertname === 'CodesignErrorRate' && labels.severity === 'critical';

      // Prometheus itself
      await until('CodesignErrorRate critical firing in Prometheus', async () => {
        const body = (await (await fetch(`${stack.prometheusUrl}/api/v1/alerts`)).json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } };
        return body.data.alerts.some((a) => isCritical(a.labels) && a.state === 'firing') || undefined;
      }, 90_000);
      // Alertmanager itself
      await until('the alert in Alertmanager', async () => {
        const body = (await (await fetch(`${stack.alertmanagerUrl}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string> }>;
        return body.some((a) => isCritical(a.labels)) || undefined;
      });
      // The cockpit: grouped by name, SEV2 suggested, Alertmanager's group seen.
      const snapshot = await until('the cockpit showing it', () => {
        const s = lastSnapshot(sink);
        const amSeen = s?.alertmanager?.groups.some((g) => g.alerts.some((a) => isCritical(Object.fromEntries(a.key.split(',').map((kv) => [kv.split('=')[0], JSON.parse(kv.slice(kv.indexOf('=') + 1))])))));
        return s && amSeen && s.groups.find((g) => g.name === 'CodesignErrorRate')?.alerts.some((a) => a.state === 'firing' && a.level === 'critical') ? s : undefined;
      });
      const group = snapshot.groups.find((g) => g.name === 'CodesignErrorRate')!;
      const alert = group.alerts.find((a) => a.level === 'critical')!;
      expect(alert).toMatchObject({ incidentSeverity: 'SEV2', procedureIds: ['high-error-rates'] });
      expect(alert.annotations.runbook_action).toBe('Immediate investigation');
      expect(group.worst).toBe('critical');
      const errorRate = snapshot.thresholds.find((t) => t.id === 'error-rate')!;
      expect(errorRate.value).toBeGreaterThan(10);
      expect(errorRate.level).toBe('critical');
      expect(errorRate.sparkline.length).toBeGreaterThan(0);

      // Declare from it: SEV2, the alert and readings in the timeline.
      const declared = await service.declareIncident({ context: 'drill', alertKey: alert.key });
      expect(declared.severity).toBe('SEV2');
      const incident = await incidents.get(declared.incidentId);
      expect(incident.severity).toBe('SEV2');
      expect(incident.timeline.find((e) => e.kind === 'alert')?.text).toMatch(/^Alert CodesignErrorRate firing since .*severity=critical.*readings: .*Error Rate \d+\.\d % \(critical\)/);

      // Silence from the cockpit: Alertmanager holds it, the incident records the change.
      const silence = await service.silence({
        context: 'drill',
        matchers: silenceMatchersFor(alert.labels),
        durationMinutes: 30,
        comment: `Incident ${declared.incidentId}: investigating the error spike`,
        incidentId: declared.incidentId,
        actor: 'tester',
      });
      const held = (await (await fetch(`${stack.alertmanagerUrl}/api/v2/silence/${silence.id}`)).json()) as { status: { state: string }; comment: string };
      expect(held.status.state).toBe('active');
      expect(held.comment).toContain(declared.incidentId);
      await until('Alertmanager suppressing the alert', async () => {
        const body = (await (await fetch(`${stack.alertmanagerUrl}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string>; status: { state: string; silencedBy: string[] } }>;
        return body.some((a) => isCritical(a.labels) && a.status.silencedBy.includes(silence.id)) || undefined;
      });
      await until('the cockpit showing the silence on the alert', () =>
        lastSnapshot(sink)?.groups.flatMap((g) => g.alerts).some((a) => a.key === alert.key && a.silencedBy?.includes(silence.id)) || undefined,
      );
      expect((await service.silences('drill')).find((s) => s.id === silence.id)?.state).toBe('active');
      const afterSilence = await incidents.get(declared.incidentId);
      expect(afterSilence.timeline.find((e) => e.kind === 'change')?.text).toContain(`silence ${silence.id}`);

      await service.expireSilence({ context: 'drill', silenceId: silence.id, incidentId: declared.incidentId, actor: 'tester' });
      expect((await service.silences('drill')).find((s) => s.id === silence.id)?.state).toBe('expired');
      expect((await incidents.get(declared.incidentId)).timeline.filter((e) => e.kind === 'change').map((e) => e.text)[1]).toBe(`Expired silence ${silence.id}`);

      // Clear: the rate window ages out and the alert resolves in Prometheus and in the cockpit.
      drill.setScenario('error-spike', false);
      await until(
        'CodesignErrorRate critical resolved in the cockpit',
        () => {
          const s = lastSnapshot(sink);
          return s && !s.groups.some((g) => g.alerts.some((a) => a.name === 'CodesignErrorRate' && a.level === 'critical')) ? true : undefined;
        },
        // The runbook's 5 m rate window must forget the spike: up to its length.
        400_000,
      );
      const after = (await (await fetch(`${stack.prometheusUrl}/api/v1/alerts`)).json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } };
      expect(after.data.alerts.filter((a) => isCritical(a.labels))).toEqual([]);
    } finally {
      watch.dispose();
    }
  }, 600_000);

  it('high latency: P95 over 2 s, then over 5 s in the threshold panel; the critical P95 rule fires', async () => {
    const sink = collectingSink();
    const watch = service.watch({ context: 'drill' }, sink);
    const p95Reading = () => lastSnapshot(sink)?.thresholds.find((t) => t.id === 'api-response-time-p95');
    try {
      drill.setScenario('high-latency', true);
      const warning = await until('P95 over 2 s', () => {
        const r = p95Reading();
        return r?.value !== undefined && r.value > 2 ? r : undefined;
      }, 180_000);
      expect(warning.warningText).toBe('>2s');
      expect(warning.level === 'warning' || warning.level === 'critical').toBe(true);
      await until('the P95 warning alert in the cockpit', () =>
        lastSnapshot(sink)?.groups.find((g) => g.name === 'CodesignApiResponseTimeP95')?.alerts.some((a) => a.level === 'warning') || undefined,
      );
      // As the surge builds, requests queue: the runbook's own PromQL lands above 5 s.
      const critical = await until('P95 over 5 s', () => {
        const r = p95Reading();
        return r?.value !== undefined && r.value > 5 ? r : undefined;
      }, 360_000);
      expect(critical.level).toBe('critical');
      expect(critical.criticalText).toBe('>5s');
      expect(critical.value).toBeLessThan(10);
      // The sparkline (query_range plus each poll) has climbed with it.
      expect(Math.max(...critical.sparkline.map(([, v]) => v))).toBeGreaterThan(5);
      const firing = await until('CodesignApiResponseTimeP95 critical firing in the cockpit', () =>
        lastSnapshot(sink)?.groups.find((g) => g.name === 'CodesignApiResponseTimeP95')?.alerts.find((a) => a.level === 'critical' && a.state === 'firing'),
      );
      expect(firing).toMatchObject({ incidentSeverity: 'SEV2', procedureIds: ['high-response-times', 'performance-tuning'] });
      const body = (await (await fetch(`${stack.prometheusUrl}/api/v1/alerts`)).json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } };
      expect(body.data.alerts.some((a) => a.labels.alertname === 'CodesignApiResponseTimeP95' && a.labels.severity === 'critical' && a.state === 'firing')).toBe(true);
    } finally {
      drill.setScenario('high-latency', false);
      watch.dispose();
    }
  }, 600_000);

  it('Prometheus stopped: stale with the last good time; restarted: recovers by itself', async () => {
    const sink = collectingSink();
    const watch = service.watch({ context: 'drill' }, sink);
    try {
      const good = await until('a good snapshot', () => {
        const s = lastSnapshot(sink);
        return s && !s.stale ? s : undefined;
      });
      await stack.stopPrometheus();
      const stale = await until('the stale state', () => lastSnapshot(sink)?.stale);
      expect(stale.error.code).toBe('Unreachable');
      expect(stale.error.message).toContain('connection refused');
      expect(stale.lastGoodAt! >= good.at).toBe(true);
      // The data shown stays the last good one.
      expect(lastSnapshot(sink)!.thresholds.length).toBe(runbook.thresholds.length);
      await stack.startPrometheus();
      await until('recovery', () => {
        const s = lastSnapshot(sink);
        return s && !s.stale && s.at > stale.since ? s : undefined;
      });
      expect(sink.ended).toBeUndefined();
    } finally {
      watch.dispose();
    }
    expect(service.livePollers).toBe(0);
  }, 180_000);

  it('a context change ends the watch and stops its poll', async () => {
    const sink = collectingSink();
    service.watch({ context: 'drill' }, sink);
    await until('a snapshot', () => lastSnapshot(sink));
    expect(service.livePollers).toBe(1);
    scope.clear();
    expect(sink.ended).toBe('the alert source changed');
    expect(service.livePollers).toBe(0);
  });
});
