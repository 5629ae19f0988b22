/**
 * The cluster views through the web host against the drill cluster, as a responder uses them:
 * pick the context and see the pods, watch a kubectl scale land in the table, see a bad deploy in
 * "What changed" and the summary strip, and a memory leak in Top and as OOMKilled in the pods.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CockpitPage } from './pages/cockpit-page';
import { screenshotter } from './support/artifacts';
import { webHostSession } from './support/with-cockpit';

const NS = 'codesign-production';
const run = promisify(execFile);

function session(env: NodeJS.ProcessEnv = {}) {
  const web = webHostSession({ env: { KUBECONFIG: '/nonexistent/kubeconfig', ...env } });
  return {
    get page() {
      return web.page;
    },
    get host() {
      return web.host;
    },
    kubectl: (...args: string[]) => run('kubectl', [...args, '-n', NS, '--request-timeout=20s'], { env: { ...process.env, KUBECONFIG: `${web.host.dataDir}/drill/kubeconfig` } }),
  };
}

/** The Workloads panel, found by role and label as a user would. */
const workloads = (page: Page) => ({
  grid: (name: string) => page.getByRole('grid', { name }),
  rows: (name: string, text: RegExp) => page.getByRole('grid', { name }).getByRole('row').filter({ hasText: text }),
  tab: (name: string) => page.getByRole('tab', { name, exact: true }),
  summary: (id: string) => page.getByTestId(`summary-${id}`),
});

/** Switches a drill scenario through the contract, as the Cluster panel's toggle does. */
const inject = (page: Page, name: string, active = true) =>
  page.evaluate(
    async ({ name, active }) =>
      (globalThis as unknown as { cockpit: { invoke(n: string, i: unknown): Promise<{ ok: boolean }> } }).cockpit.invoke('drill:setScenario', { name, active }),
    { name, active },
  );

describe('web host: the cluster views against the drill', () => {
  const s = session();

  it('picks the drill context and shows its pods, live, with the summary strip', async () => {
    const { page } = s;
    await page.goto(`${s.host.url}#/workloads`);
    await page.getByTestId('context-select').selectOption('drill');
    expect(await page.getByTestId('namespace-select').inputValue()).toBe(NS);
    const w = workloads(page);
    await expect.poll(() => w.rows('Pods', /codesign-api-/).count(), { timeout: 20_000 }).toBe(3);
    await expect.poll(() => w.rows('Pods', /postgres-0/).count()).toBe(1);
    expect(await w.rows('Pods', /codesign-api-/).first().textContent()).toMatch(/1\/1Running/);
    await expect.poll(() => w.summary('pods-unhealthy').textContent(), { timeout: 10_000 }).toMatch(/^0pods not Running/);
    await screenshotter(page, 'e2e-cluster')('01-pods');

    // Keyboard: focus the grid, move down, open the drawer with Enter.
    await w.grid('Pods').getByTestId('table-pods').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.getByRole('complementary').getByRole('heading', { level: 2 }).waitFor();
    const drawer = page.getByRole('complementary');
    await expect.poll(() => drawer.getByRole('region', { name: 'YAML' }).textContent()).toContain('kind: Pod');
    await screenshotter(page, 'e2e-cluster')('02-pod-drawer');
    await drawer.getByRole('button', { name: 'Close details' }).click();

    await page.getByRole('textbox', { name: 'Label selector' }).fill('app=codesign-api');
    await expect.poll(() => w.rows('Pods', /./).count()).toBe(4); // header + 3
    await page.getByRole('textbox', { name: 'Label selector' }).fill('app in (');
    await page.getByRole('alert').filter({ hasText: 'label selector' }).waitFor();
    await page.getByRole('textbox', { name: 'Label selector' }).fill('');
  });

  it('follows a kubectl scale-up within a few seconds', async () => {
    const { page } = s;
    const w = workloads(page);
    // The drill's HPA acts (a bare kubectl scale is undone): hold 5 pods by raising its minimum.
    await s.kubectl('patch', 'hpa', 'codesign-api-hpa', '--type=merge', '-p', '{"spec":{"minReplicas":5}}');
    await expect.poll(() => w.rows('Pods', /codesign-api-/).count(), { timeout: 20_000 }).toBe(5);
    await w.tab('Deployments').click();
    await expect.poll(() => w.rows('Deployments', /codesign-api/).textContent(), { timeout: 20_000 }).toMatch(/^codesign-api5\/55/);
    await screenshotter(page, 'e2e-cluster')('03-deployments-scaled');
    await w.rows('Deployments', /codesign-api/).click();
    const drawer = page.getByRole('complementary');
    await drawer.getByRole('region', { name: 'Rollout history' }).waitFor();
    await screenshotter(page, 'e2e-cluster')('04-deployment-drawer');
    await drawer.getByRole('button', { name: 'Close details' }).click();
    await w.tab('Events').click();
    await w.grid('Event groups').waitFor();
    await expect.poll(() => w.rows('Event groups', /Deployment\/codesign-api/).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await screenshotter(page, 'e2e-cluster')('05-events');
    await s.kubectl('patch', 'hpa', 'codesign-api-hpa', '--type=merge', '-p', '{"spec":{"minReplicas":3}}');
  });

  it('shows a bad deploy in What changed and in the summary strip, and pins the rollout to the incident', async () => {
    const { page } = s;
    const w = workloads(page);
    const cockpit = new CockpitPage(page);
    await page.goto(`${s.host.url}#/incident`);
    await cockpit.openEvidenceStore('correct horse battery staple');
    await cockpit.declareIncident('codesign-api errors after deploy', 'SEV2');
    await page.goto(`${s.host.url}#/workloads`);
    expect(await inject(page, 'bad-deploy')).toMatchObject({ ok: true });
    await expect.poll(async () => Number((await w.summary('pods-unhealthy').textContent())?.match(/^\d+/)?.[0] ?? 0), { timeout: 60_000 }).toBeGreaterThan(0);
    await w.tab('What changed').click();
    const changes = page.getByRole('list', { name: 'Changes' });
    await expect.poll(() => changes.getByTestId('change').filter({ hasText: /rollout.*Deployment\/codesign-api.*-bad/ }).count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await screenshotter(page, 'e2e-cluster')('06-what-changed');
    const rollout = changes.getByTestId('change').filter({ hasText: /rollout.*-bad/ }).first();
    await rollout.getByRole('button', { name: 'Pin' }).click();
    await rollout.getByRole('button', { name: 'Pinned' }).waitFor();
    await page.getByTestId('active-incident').click();
    await page.getByText(/What changed \(drill \/ codesign-production\).*rollout Deployment\/codesign-api: revision \d+: codesign-playground:[^ ]+-bad/).first().waitFor();
    await screenshotter(page, 'e2e-cluster')('06b-pinned-in-incident');
    await page.goto(`${s.host.url}#/workloads`);
    await w.summary('pods-unhealthy').click();
    await expect.poll(() => w.rows('Pods', /codesign-api-.*(CrashLoopBackOff|Error)/).count(), { timeout: 90_000 }).toBeGreaterThan(0);
    await screenshotter(page, 'e2e-cluster')('07-summary-filtered-pods');
    await w.tab('Nodes').click();
    await expect.poll(() => w.rows('Nodes', /drill-node-1/).count(), { timeout: 10_000 }).toBe(1);
    await screenshotter(page, 'e2e-cluster')('08-nodes');
    await inject(page, 'bad-deploy', false);
  });

  it('the namespace choice includes all namespaces', async () => {
    const { page } = s;
    const w = workloads(page);
    await w.tab('Pods').click();
    await page.getByTestId('namespace-select').selectOption('');
    await expect.poll(() => w.grid('Pods').getByRole('columnheader', { name: 'Namespace' }).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => w.rows('Pods', /^codesign-production/).count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await screenshotter(page, 'e2e-cluster')('09-all-namespaces');
    await page.getByTestId('namespace-select').selectOption(NS);
  });
});

describe('web host: a memory leak in Top and in the pods', () => {
  // The simulated clock runs 30× so the leak crosses the runbook's lines within seconds.
  const s = session({ COCKPIT_DRILL_SPEED: '30' });

  it('shows a codesign-api pod over the memory threshold in Top, then OOMKilled in the pods view', async () => {
    const { page } = s;
    await page.goto(`${s.host.url}#/top`);
    await page.getByRole('grid', { name: 'Pod usage' }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('heading', { name: 'Top' }).locator('..').textContent()).toContain('memory >80% / >95% (from the runbook)');
    expect(await inject(page, 'memory-leak')).toMatchObject({ ok: true });
    const over = page.getByRole('grid', { name: 'Pod usage' }).getByRole('row').filter({ hasText: /codesign-api-/ }).locator('.lvl-warning, .lvl-critical');
    await expect.poll(() => over.count(), { timeout: 90_000 }).toBeGreaterThan(0);
    await screenshotter(page, 'e2e-cluster')('10-top-over-threshold');

    await page.goto(`${s.host.url}#/workloads`);
    const w = workloads(page);
    await expect.poll(() => w.rows('Pods', /codesign-api-.*OOMKilled/).count(), { timeout: 120_000 }).toBeGreaterThan(0);
    await screenshotter(page, 'e2e-cluster')('11-pods-oomkilled');
    await w.rows('Pods', /codesign-api-.*OOMKilled/).first().click();
    await expect.poll(() => page.getByRole('complementary').getByTestId('last-termination').first().textContent(), { timeout: 10_000 }).toMatch(/OOMKilled \(exit 137\)/);
    await screenshotter(page, 'e2e-cluster')('12-pod-drawer-oomkilled');
  });
});
