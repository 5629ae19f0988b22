/**
 * Alerts figures. `alerts poll cost`: main-process CPU per refresh of the alerts service with 500
 * active alerts (Prometheus and Alertmanager answering from a child process, so only the
 * cockpit's side is counted: HTTP, parsing, grouping, the runbook's readings and the event's
 * serialisation as the stream sends it). `alerts time to show new alert`: a real Prometheus
 * scraping the drill with the generated rules (`for: 0s`, so the alert fires at its first
 * evaluation), from that evaluation (`activeAt`) to the snapshot that lists it, at the default
 * 10 s refresh. Run alone with `npx tsx bench/alerts.bench.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlertSettingsStore } from '../src/main/alerts/alert-settings';
import { AlertsService } from '../src/main/alerts/alerts-service';
import { MemoryLogger } from '../src/main/app/logger';
import { DisposableStore } from '../src/shared/lifetimes';
import { collectingSink } from '../test/integration/alerts/collecting-sink';
import { startAlertsDrill } from '../test/integration/alerts/drill-fixture';
import { MemoryRecordLog } from '../test/integration/alerts/memory-record-log';
import { PROMETHEUS_BIN, bundledRunbook, startMonitoring } from '../test/integration/alerts/prometheus-harness';
import { printReport, type Report } from './report';

const ACTIVE_ALERTS = 500;
const REFRESH_S = 10;

/** A fake Prometheus + Alertmanager in a child process: 500 alerts, every query answered. */
const FAKE_SERVER = `
const http = require('node:http');
const alerts = [];
for (let i = 0; i < ${ACTIVE_ALERTS}; i++) {
  alerts.push({ labels: { alertname: 'Bench' + (i % 25), severity: i % 3 ? 'warning' : 'critical', pod: 'codesign-api-' + i, namespace: 'codesign-production', threshold: 'cpu-usage', runbook: 'codesign-playground' },
    annotations: { summary: 'CPU Usage >70% (warning)', description: 'CPU Usage is 75.0%, over the runbook threshold', runbook_action: 'Scale up' },
    state: i % 10 ? 'firing' : 'pending', activeAt: new Date(Date.now() - i * 1000).toISOString(), value: '7.5e+01' });
}
const alertsBody = JSON.stringify({ status: 'success', data: { alerts } });
const groups = [];
for (let g = 0; g < 25; g++) groups.push({ labels: { alertname: 'Bench' + g }, receiver: { name: 'oncall' },
  alerts: alerts.filter((a, i) => i % 25 === g).map((a) => ({ labels: a.labels, annotations: a.annotations, startsAt: a.activeAt, endsAt: a.activeAt, fingerprint: 'f', updatedAt: a.activeAt, generatorURL: '', receivers: [{ name: 'oncall' }], status: { state: 'active', silencedBy: [], inhibitedBy: [] } })) });
const groupsBody = JSON.stringify(groups);
const now = Math.floor(Date.now() / 1000);
const range = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: Array.from({ length: 61 }, (_, i) => [now - 3600 + i * 60, String(40 + (i % 7))]) }] } });
const instant = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [now, '42'] }] } });
http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  const u = req.url || '';
  if (u.startsWith('/api/v1/alerts')) return res.end(alertsBody);
  if (u.startsWith('/api/v1/query_range')) return res.end(range);
  if (u.startsWith('/api/v1/query')) return res.end(instant);
  if (u.startsWith('/api/v2/alerts/groups')) return res.end(groupsBody);
  res.statusCode = 404; res.end('{}');
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });
`;

function serviceFor(url: string, dataDir: string, intervalMs: number, runbook: Awaited<ReturnType<typeof bundledRunbook>>): { service: AlertsService; scope: DisposableStore; settings: AlertSettingsStore } {
  const scope = new DisposableStore();
  const settings = new AlertSettingsStore(dataDir, new MemoryLogger());
  const service = new AlertsService({
    contexts: { current: 'drill', scope, kubeConfig: () => Promise.reject(new Error('none')), client: () => Promise.reject(new Error('none')) },
    settings,
    runbook,
    log: new MemoryRecordLog(),
    logger: new MemoryLogger(),
    defaultIntervalMs: intervalMs,
  });
  void url;
  return { service, scope, settings };
}

async function pollCost(report: Report): Promise<void> {
  const runbook = await bundledRunbook();
  const child: ChildProcess = spawn(process.execPath, ['-e', FAKE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const dir = await mkdtemp(path.join(tmpdir(), 'alerts-bench-'));
  const url = `http://127.0.0.1:${port}`;
  const { service, scope } = serviceFor(url, dir, 1000, runbook);
  try {
    await service.saveSettings('drill', { prometheus: { kind: 'url', url }, alertmanager: { kind: 'url', url }, intervalSeconds: 1 });
    const sink = collectingSink();
    let bytes = 0;
    const emit = sink.emit.bind(sink);
    // As the stream session would: every event serialised once.
    sink.emit = (e) => {
      bytes += JSON.stringify(e).length;
      emit(e);
    };
    const watch = service.watch({ context: 'drill' }, sink);
    while (sink.events.length < 3) await new Promise((r) => setTimeout(r, 50)); // warm up
    const first = sink.events.length;
    const cpu = process.cpuUsage();
    while (sink.events.length < first + 10) await new Promise((r) => setTimeout(r, 50));
    const used = process.cpuUsage(cpu);
    const refreshes = sink.events.length - first;
    watch.dispose();
    const last = sink.events.at(-1);
    const count = last?.type === 'snapshot' ? last.groups.reduce((n, g) => n + g.alerts.length, 0) : 0;
    if (count !== ACTIVE_ALERTS) throw new Error(`expected ${ACTIVE_ALERTS} alerts in the snapshot, saw ${count}`);
    report('alerts poll cost', (used.user + used.system) / 1000 / refreshes, 'ms CPU per refresh', `${ACTIVE_ALERTS} active alerts, ~${Math.round(bytes / sink.events.length / 1024)} KiB per snapshot; lower is better`);
  } finally {
    scope.dispose();
    child.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

async function timeToShow(report: Report): Promise<void> {
  if (!PROMETHEUS_BIN) {
    console.log('alerts time to show new alert: skipped (no prometheus installed)');
    return;
  }
  const runbook = await bundledRunbook();
  const drill = await startAlertsDrill();
  const stack = await startMonitoring(drill, { alertmanager: false, forOverride: '0s' });
  const dir = await mkdtemp(path.join(tmpdir(), 'alerts-bench-'));
  const { service, scope } = serviceFor(stack.prometheusUrl, dir, REFRESH_S * 1000, runbook);
  try {
    await service.saveSettings('drill', { prometheus: { kind: 'url', url: stack.prometheusUrl } });
    const sink = collectingSink();
    const seenAt = new Map<number, number>();
    const emit = sink.emit.bind(sink);
    sink.emit = (e) => {
      seenAt.set(sink.events.length, Date.now());
      emit(e);
    };
    const watch = service.watch({ context: 'drill' }, sink);
    // Let Prometheus scrape a few times so the rate windows hold samples, then the spike.
    await new Promise((r) => setTimeout(r, 4000));
    drill.setScenario('error-spike', true);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const index = sink.events.findIndex((e) => e.type === 'snapshot' && e.groups.some((g) => g.alerts.some((a) => a.name === 'CodesignErrorRate' && a.level === 'critical' && a.state === 'firing')));
      if (index >= 0) {
        const event = sink.events[index]!;
        const alert = event.type === 'snapshot' ? event.groups.flatMap((g) => g.alerts).find((a) => a.name === 'CodesignErrorRate' && a.level === 'critical') : undefined;
        const latency = (seenAt.get(index)! - Date.parse(alert!.activeAt!)) / 1000;
        report('alerts time to show new alert', latency, 's', `<= ${REFRESH_S + 1} s (refresh ${REFRESH_S} s + 1 s)`);
        break;
      }
      if (Date.now() > deadline) throw new Error('the critical error-rate alert never reached the cockpit');
      await new Promise((r) => setTimeout(r, 100));
    }
    watch.dispose();
  } finally {
    scope.dispose();
    await stack.stop();
    await drill.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(report: Report): Promise<void> {
  await pollCost(report);
  await timeToShow(report);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run(printReport);
