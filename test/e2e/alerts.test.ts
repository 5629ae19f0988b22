/**
 * The Alerts panel through the web host, against a real Prometheus and Alertmanager scraping the
 * host's own drill cluster with the generated rules (the harness picks their ports first and
 * hands them to the host as COCKPIT_PROMETHEUS_URL / COCKPIT_ALERTMANAGER_URL, the drill
 * context's preconfigured source): the error spike fires the critical error-rate alert, the
 * responder declares an incident from it (SEV2, as the runbook says) and finds the alert in the
 * timeline; a silence from the panel is listed and recorded; Prometheus stopped shows stale.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../../packages/drill-cluster/src/backends/free-port';
import { ALERTMANAGER_BIN, PROMETHEUS_BIN, startMonitoring, type MonitoringStack } from '../integration/alerts/prometheus-harness';
import { CockpitPage } from './pages/cockpit-page';
import { screenshotter } from './support/artifacts';
import { launchChromium } from './support/browser';
import { startWebHost, type RunningWebHost } from './support/web-host-process';

const PASSPHRASE = 'correct horse battery staple alerts';

async function drillTarget(dataDir: string): Promise<{ url: string; token: string; caCertificate: string }> {
  const file = `${dataDir}/drill/kubeconfig`;
  const deadline = Date.now() + 60_000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error('the web host never wrote the drill kubeconfig');
    await new Promise((r) => setTimeout(r, 200));
  }
  const doc = parse(await readFile(file, 'utf8')) as {
    clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
    users: Array<{ user: { token: string } }>;
  };
  return {
    url: doc.clusters[0]!.cluster.server,
    token: doc.users[0]!.user.token,
    caCertificate: Buffer.from(doc.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString(),
  };
}

const alertsPanel = (page: Page) => ({
  region: () => page.getByRole('region', { name: 'Alerts' }),
  group: (name: string) => page.getByRole('region', { name: new RegExp(`^${name}: `) }),
  alert: (name: string, level: string) => page.getByRole('listitem', { name: `${name} ${level} firing` }),
  threshold: (metric: string) => page.getByRole('listitem', { name: new RegExp(`^${metric.replace(/[()]/g, '\\$&')}: `) }),
});

describe.skipIf(!PROMETHEUS_BIN || !ALERTMANAGER_BIN)('web host: alerts from a real Prometheus', () => {
  let host: RunningWebHost;
  let stack: MonitoringStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const prometheusPort = await freePort();
    const alertmanagerPort = await freePort();
    host = await startWebHost({
      env: {
        KUBECONFIG: '/nonexistent/kubeconfig',
        COCKPIT_PROMETHEUS_URL: `http://127.0.0.1:${prometheusPort}`,
        COCKPIT_ALERTMANAGER_URL: `http://127.0.0.1:${alertmanagerPort}`,
        COCKPIT_ALERTS_INTERVAL_SECONDS: '2',
      },
    });
    stack = await startMonitoring(await drillTarget(host.dataDir), { prometheusPort, alertmanagerPort });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await stack?.stop();
  });

  it('declares an incident from the firing critical error-rate alert and finds the alert in its timeline', async () => {
    const shot = screenshotter(page, 'alerts');
    const cockpit = new CockpitPage(page);
    await page.goto(host.url);
    await cockpit.openEvidenceStore(PASSPHRASE);
    await cockpit.openPanel('Alerts');
    const panel = alertsPanel(page);
    await panel.threshold('Error Rate').waitFor({ timeout: 60_000 });
    await shot('01-alerts-quiet');

    await page.evaluate(async () =>
      (globalThis as unknown as { cockpit: { invoke(n: string, i: unknown): Promise<unknown> } }).cockpit.invoke('drill:setScenario', { name: 'error-spike', active: true }),
    );
    const alert = panel.alert('CodesignErrorRate', 'critical');
    await alert.waitFor({ timeout: 120_000 });
    await expect.poll(() => panel.threshold('Error Rate').getAttribute('aria-label'), { timeout: 30_000 }).toMatch(/critical$/);
    expect(await alert.getByRole('combobox', { name: 'Severity for CodesignErrorRate' }).inputValue()).toBe('SEV2');
    await shot('02-alerts-error-spike');

    await alert.getByRole('button', { name: 'Declare incident' }).click();
    await cockpit.incidentHeading().filter({ hasText: 'CodesignErrorRate' }).waitFor();
    expect(await cockpit.topBarSeverity().textContent()).toContain('SEV2');
    await expect.poll(() => cockpit.timelineTexts(), { timeout: 15_000 }).toEqual(expect.arrayContaining([expect.stringMatching(/^Alert CodesignErrorRate firing since .*severity=critical.*Error Rate [\d.]+ % \(critical\)/)]));
    await shot('03-incident-from-alert');

    // Silence it from the panel: matchers from its labels, the comment names the incident.
    await cockpit.openPanel('Alerts');
    await alert.getByRole('button', { name: 'Silence…' }).click();
    const form = page.getByRole('form', { name: 'Silence CodesignErrorRate' });
    expect(await form.getByLabel('Comment').inputValue()).toMatch(/^Incident inc-\d{8}-[a-z0-9]+: /);
    await shot('04-silence-form');
    await form.getByRole('button', { name: 'Create silence' }).click();
    const silences = page.getByRole('region', { name: /^Silences/ });
    await silences.getByRole('listitem').first().waitFor();
    await alert.getByText('silenced').waitFor({ timeout: 30_000 });
    await shot('05-silenced');
    const amSilences = (await (await fetch(`${stack.alertmanagerUrl}/api/v2/silences`)).json()) as Array<{ status: { state: string }; comment: string }>;
    expect(amSilences.some((s) => s.status.state === 'active' && /^Incident inc-/.test(s.comment))).toBe(true);

    await cockpit.openPanel('Incident');
    await expect.poll(() => cockpit.timelineTexts(), { timeout: 15_000 }).toEqual(expect.arrayContaining([expect.stringMatching(/^Silenced \{.*alertname="CodesignErrorRate".*\} until .*Incident inc-/)]));
    await shot('06-incident-silence-change');

    // Prometheus gone: the panel says stale, with the last good time.
    await cockpit.openPanel('Alerts');
    await stack.stopPrometheus();
    await page.getByRole('alert').filter({ hasText: 'Stale' }).waitFor({ timeout: 30_000 });
    await shot('07-stale');
    await stack.startPrometheus();
    await page.getByRole('alert').filter({ hasText: 'Stale' }).waitFor({ state: 'detached', timeout: 60_000 });
    await shot('08-recovered');
  }, 300_000);
});

describe('web host: alerts with nothing configured', () => {
  let host: RunningWebHost;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    host = await startWebHost({ env: { KUBECONFIG: '/nonexistent/kubeconfig', COCKPIT_PROMETHEUS_URL: '', COCKPIT_ALERTMANAGER_URL: '' } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('finds the drill’s prometheus service, says why it does not answer, and refuses a bad URL by name', async () => {
    const shot = screenshotter(page, 'alerts-unconfigured');
    const cockpit = new CockpitPage(page);
    await page.goto(host.url);
    await cockpit.openPanel('Alerts');
    // Discovered through the API server's service proxy; nothing listens behind the drill's
    // monitoring/prometheus service, so the proxy answers 503 and the banner names it.
    await page.getByText('monitoring/prometheus:9090 via the API server (discovered)', { exact: false }).waitFor({ timeout: 60_000 });
    const banner = page.getByRole('alert').filter({ hasText: 'Stale' });
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toMatch(/Unavailable: monitoring\/prometheus:9090 via the API server: .*HTTP 503/);
    await shot('01-discovered-unanswered');

    await page.getByRole('button', { name: 'Source…' }).click();
    const form = page.getByRole('form', { name: 'Alert source settings' });
    await form.getByRole('combobox', { name: 'Prometheus: how to reach it' }).selectOption('url');
    await form.getByLabel('Prometheus URL').fill('http://user:secret@127.0.0.1:9/');
    await shot('02-source-settings');
    await form.getByRole('button', { name: 'Save source' }).click();
    const notice = page.getByRole('alert').filter({ hasText: 'must not carry a user or password' });
    await notice.waitFor();
    expect(await notice.textContent()).not.toContain('secret');
    await shot('03-bad-url-refused');

    await form.getByLabel('Prometheus URL').fill('http://127.0.0.1:9/');
    await form.getByRole('button', { name: 'Save source' }).click();
    await page.getByText('http://127.0.0.1:9 (saved)', { exact: false }).waitFor({ timeout: 30_000 });
    await page.getByRole('alert').filter({ hasText: 'connection refused' }).waitFor({ timeout: 30_000 });
    await shot('04-saved-unreachable');
  }, 180_000);
});

describe.skipIf(!PROMETHEUS_BIN || !ALERTMANAGER_BIN)('web host: the drill’s own Prometheus behind its service', () => {
  let host: RunningWebHost;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    // As `npm start` runs it: nothing set, the drill starts Debian's Prometheus and Alertmanager itself.
    host = await startWebHost({ env: { KUBECONFIG: '/nonexistent/kubeconfig', COCKPIT_PROMETHEUS_URL: '', COCKPIT_ALERTMANAGER_URL: '', COCKPIT_DRILL_MONITORING: 'on', COCKPIT_DRILL_SCRAPE_SECONDS: '1', COCKPIT_ALERTS_INTERVAL_SECONDS: '2' } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('discovers monitoring/prometheus and monitoring/alertmanager and reads the runbook thresholds through the service proxy', async () => {
    const shot = screenshotter(page, 'alerts-drill-monitoring');
    const cockpit = new CockpitPage(page);
    await page.goto(host.url);
    await cockpit.openPanel('Alerts');
    await page.getByText('monitoring/prometheus:9090 via the API server (discovered) · Alertmanager monitoring/alertmanager:9093 via the API server', { exact: false }).waitFor({ timeout: 90_000 });
    const panel = alertsPanel(page);
    // Values come once Prometheus has scraped twice (rate needs two samples).
    await expect.poll(() => panel.threshold('Error Rate').getAttribute('aria-label'), { timeout: 90_000 }).toMatch(/^Error Rate: [\d.]+ %, ok$/);
    expect(await panel.threshold('API Response Time (P95)').getAttribute('aria-label')).toMatch(/^API Response Time \(P95\): [\d.]+ s, ok$/);
    expect(await page.getByRole('alert').filter({ hasText: 'Stale' }).count()).toBe(0);
    await shot('01-discovered-drill-prometheus');
  }, 240_000);
});
