/**
 * A real Prometheus (Debian's `prometheus`) and Alertmanager (`prometheus-alertmanager`) for the
 * alerts tests: free ports on 127.0.0.1, temp TSDB and state, 1 s scrape and evaluation, the
 * generated rules loaded (with `for:` shortened so a test waits seconds, not minutes), scraping
 * the drill's exporter. Prometheus can be stopped and started again on the same port and TSDB.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { renderAlertRules } from '../../../src/shared/alerts/rules';
import { RunbookSchema, type Runbook } from '../../../src/shared/runbook/schema';
import { freePort } from '../../../packages/drill-cluster/src/backends/free-port';

const find = (names: string[]): string | undefined =>
  names.find((p) => (p.startsWith('/') ? existsSync(p) : spawnSync('which', [p]).status === 0));
export const PROMETHEUS_BIN = find(['/usr/bin/prometheus', 'prometheus']);
export const ALERTMANAGER_BIN = find(['/usr/bin/prometheus-alertmanager', 'alertmanager']);

export async function bundledRunbook(): Promise<Runbook> {
  return RunbookSchema.parse(parse(await readFile(path.resolve('resources/runbooks/codesign-playground.yaml'), 'utf8')));
}

export interface Target {
  url: string;
  token: string;
  caCertificate: string;
}

export interface MonitoringStack {
  prometheusUrl: string;
  alertmanagerUrl?: string;
  stopPrometheus(): Promise<void>;
  startPrometheus(): Promise<void>;
  stop(): Promise<void>;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function startMonitoring(target: Target, options: { alertmanager?: boolean; forOverride?: string; prometheusPort?: number; alertmanagerPort?: number } = {}): Promise<MonitoringStack> {
  if (!PROMETHEUS_BIN) throw new Error('prometheus is not installed');
  const dir = await mkdtemp(path.join(tmpdir(), 'alerts-monitoring-'));
  const promPort = options.prometheusPort ?? (await freePort());
  let alertmanager: ChildProcess | undefined;
  let amPort: number | undefined;
  if (options.alertmanager !== false && ALERTMANAGER_BIN) {
    amPort = options.alertmanagerPort ?? (await freePort());
    const clusterPort = await freePort();
    await writeFile(
      path.join(dir, 'alertmanager.yml'),
      stringify({
        route: { receiver: 'cockpit-test', group_by: ['alertname'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
        receivers: [{ name: 'cockpit-test' }],
        inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname'] }],
      }),
    );
    alertmanager = spawn(
      ALERTMANAGER_BIN,
      [
        `--config.file=${path.join(dir, 'alertmanager.yml')}`,
        `--storage.path=${path.join(dir, 'am-data')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        `--cluster.listen-address=127.0.0.1:${clusterPort}`,
        '--cluster.advertise-address=127.0.0.1:' + clusterPort,
      ],
      { stdio: 'ignore' },
    );
    await waitFor('Alertmanager', async () => (await fetch(`http://127.0.0.1:${amPort}/-/ready`)).ok);
  }
  const runbook = await bundledRunbook();
  await writeFile(path.join(dir, 'codesign-alerts.yml'), renderAlertRules(runbook, { forOverride: options.forOverride ?? '2s' }));
  await writeFile(path.join(dir, 'token'), target.token, { mode: 0o600 });
  await writeFile(path.join(dir, 'ca.pem'), target.caCertificate);
  await writeFile(
    path.join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [path.join(dir, 'codesign-alerts.yml')],
      ...(amPort ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] } } : {}),
      scrape_configs: [
        {
          job_name: 'drill',
          scheme: 'https',
          metrics_path: '/drill/metrics',
          honor_labels: true,
          authorization: { type: 'Bearer', credentials_file: path.join(dir, 'token') },
          tls_config: { ca_file: path.join(dir, 'ca.pem') },
          static_configs: [{ targets: [new URL(target.url).host] }],
        },
      ],
    }),
  );
  let prometheus: ChildProcess | undefined;
  const prometheusUrl = `http://127.0.0.1:${promPort}`;
  const startPrometheus = async (): Promise<void> => {
    prometheus = spawn(
      PROMETHEUS_BIN,
      [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`],
      { stdio: 'ignore' },
    );
    await waitFor('Prometheus', async () => (await fetch(`${prometheusUrl}/-/ready`)).ok);
  };
  await startPrometheus();
  return {
    prometheusUrl,
    ...(amPort ? { alertmanagerUrl: `http://127.0.0.1:${amPort}` } : {}),
    startPrometheus,
    stopPrometheus: () => stopChild(prometheus),
    stop: async () => {
      await stopChild(prometheus);
      await stopChild(alertmanager);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
