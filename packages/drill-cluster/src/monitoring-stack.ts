/**
 * A real Prometheus (Debian's `prometheus`) and Alertmanager (`prometheus-alertmanager`) for a
 * drill cluster: free ports on 127.0.0.1, a TSDB and state in their own folder, scraping the
 * drill's exporter (`<api>/drill/metrics` with its bearer token and CA) and evaluating the alert
 * rules given. The drill runs one when the binaries are on the machine, so its
 * `monitoring/prometheus` service is a real Prometheus; the test harnesses run one with 1 s
 * intervals. Prometheus can be stopped and started again on the same port and TSDB.
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './backends/free-port';

const find = (names: string[]): string | undefined =>
  names.find((p) => (p.startsWith('/') ? existsSync(p) : spawnSync('which', [p], { stdio: 'ignore' }).status === 0));

/** Where Prometheus and Alertmanager are installed (Debian's paths first, then PATH); absent when not. */
export function findMonitoringBinaries(): { prometheus?: string; alertmanager?: string } {
  const prometheus = find(['/usr/bin/prometheus', 'prometheus']);
  const alertmanager = find(['/usr/bin/prometheus-alertmanager', 'alertmanager']);
  return { ...(prometheus ? { prometheus } : {}), ...(alertmanager ? { alertmanager } : {}) };
}

export interface ScrapeTarget {
  /** The drill API server, `https://127.0.0.1:<port>`. */
  url: string;
  token: string;
  caCertificate: string;
}

export interface MonitoringStackOptions {
  target: ScrapeTarget;
  /** The alerting rules file's YAML text. */
  rules: string;
  /** Working folder (TSDB, configs, token); a temp one, removed on stop, when absent. */
  dir?: string;
  scrapeIntervalSeconds?: number;
  evaluationIntervalSeconds?: number;
  /** Start an Alertmanager too (default: when installed). */
  alertmanager?: boolean;
  prometheusPort?: number;
  alertmanagerPort?: number;
  binaries?: { prometheus?: string; alertmanager?: string };
  /** Where the children's output goes (default: nowhere). */
  onOutput?: (component: 'prometheus' | 'alertmanager', text: string) => void;
}

export interface MonitoringStack {
  prometheusUrl: string;
  alertmanagerUrl?: string;
  stopPrometheus(): Promise<void>;
  startPrometheus(): Promise<void>;
  stop(): Promise<void>;
}

async function waitFor(what: string, child: ChildProcess, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
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

/**
 * A drill killed outright leaves its Prometheus running, holding the TSDB's lock: the pid files
 * in `dir` name it, and a process whose command line names `dir` is ours to stop.
 */
async function stopLeftovers(dir: string): Promise<void> {
  for (const name of ['prometheus.pid', 'alertmanager.pid']) {
    const pid = Number(await readFile(path.join(dir, name), 'utf8').catch(() => ''));
    if (!Number.isInteger(pid) || pid <= 1) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes(dir)) continue;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      continue;
    }
    for (let i = 0; i < 50 && (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')) !== ''; i++) await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts Alertmanager (when wanted and installed), then Prometheus; resolves once both answer `/-/ready`. */
export async function startMonitoringStack(options: MonitoringStackOptions): Promise<MonitoringStack> {
  const binaries = options.binaries ?? findMonitoringBinaries();
  if (!binaries.prometheus) throw new Error('prometheus is not installed');
  const tempDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'drill-monitoring-')));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!tempDir) await stopLeftovers(dir);
  const scrape = options.scrapeIntervalSeconds ?? 15;
  const evaluation = options.evaluationIntervalSeconds ?? scrape;
  const output = (component: 'prometheus' | 'alertmanager') => (chunk: Buffer) => options.onOutput?.(component, chunk.toString('utf8'));
  const stdio: StdioOptions = options.onOutput ? ['ignore', 'pipe', 'pipe'] : 'ignore';
  let alertmanager: ChildProcess | undefined;
  let prometheus: ChildProcess | undefined;
  try {
    let amPort: number | undefined;
    if (options.alertmanager !== false && binaries.alertmanager) {
      amPort = options.alertmanagerPort ?? (await freePort());
      const clusterPort = await freePort();
      await writeFile(
        path.join(dir, 'alertmanager.yml'),
        stringify({
          route: { receiver: 'drill', group_by: ['alertname'], group_wait: `${evaluation}s`, group_interval: `${evaluation}s`, repeat_interval: '1h' },
          receivers: [{ name: 'drill' }],
          inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname'] }],
        }),
      );
      const started: ChildProcess = spawn(
        binaries.alertmanager,
        [
          `--config.file=${path.join(dir, 'alertmanager.yml')}`,
          `--storage.path=${path.join(dir, 'am-data')}`,
          `--web.listen-address=127.0.0.1:${amPort}`,
          `--cluster.listen-address=127.0.0.1:${clusterPort}`,
          `--cluster.advertise-address=127.0.0.1:${clusterPort}`,
        ],
        { stdio },
      );
      alertmanager = started;
      if (started.pid) await writeFile(path.join(dir, 'alertmanager.pid'), String(started.pid));
      started.stdout?.on('data', output('alertmanager'));
      started.stderr?.on('data', output('alertmanager'));
      await waitFor('Alertmanager', started, async () => (await fetch(`http://127.0.0.1:${amPort}/-/ready`)).ok);
    }
    await writeFile(path.join(dir, 'alert-rules.yml'), options.rules);
    await writeFile(path.join(dir, 'token'), options.target.token, { mode: 0o600 });
    await writeFile(path.join(dir, 'ca.pem'), options.target.caCertificate);
    await writeFile(
      path.join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: `${scrape}s`, evaluation_interval: `${evaluation}s` },
        rule_files: [path.join(dir, 'alert-rules.yml')],
        ...(amPort ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] } } : {}),
        scrape_configs: [
          {
            job_name: 'drill',
            scheme: 'https',
            metrics_path: '/drill/metrics',
            honor_labels: true,
            authorization: { type: 'Bearer', credentials_file: path.join(dir, 'token') },
            tls_config: { ca_file: path.join(dir, 'ca.pem') },
            static_configs: [{ targets: [new URL(options.target.url).host] }],
          },
        ],
      }),
    );
    const promPort = options.prometheusPort ?? (await freePort());
    const prometheusUrl = `http://127.0.0.1:${promPort}`;
    const startPrometheus = async (): Promise<void> => {
      const started: ChildProcess = spawn(
        binaries.prometheus as string,
        [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`],
        { stdio },
      );
      prometheus = started;
      if (started.pid) await writeFile(path.join(dir, 'prometheus.pid'), String(started.pid));
      started.stdout?.on('data', output('prometheus'));
      started.stderr?.on('data', output('prometheus'));
      await waitFor('Prometheus', started, async () => (await fetch(`${prometheusUrl}/-/ready`)).ok);
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
        if (tempDir) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopChild(prometheus);
    await stopChild(alertmanager);
    if (tempDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
