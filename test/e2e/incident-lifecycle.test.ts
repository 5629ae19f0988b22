import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { CockpitPage } from './pages/cockpit-page';
import { declareWorkAndRaise, expectIncidentKept, PASSPHRASE } from './scenarios/incident-lifecycle';
import { screenshotter } from './support/artifacts';
import { webHostSession, withCockpit } from './support/with-cockpit';

describe('web host: declare, work and keep an incident', () => {
  const session = webHostSession();

  it('declares a SEV2, works it, raises it to SEV1, and keeps it across a reload and a restart', async () => {
    const { page } = session;
    const shoot = screenshotter(page, 'e2e-web');
    const cockpit = new CockpitPage(page);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(session.host.url);
    await cockpit.openEvidenceStore(PASSPHRASE);

    const ticked = await declareWorkAndRaise(cockpit, shoot);

    await page.reload();
    await expectIncidentKept(cockpit, ticked);
    await shoot('04-after-reload');

    await page.goto((await session.restart()).url);
    await cockpit.openEvidenceStore(PASSPHRASE);
    await page.getByRole('link', { name: /Checkout API P95 above 2s/ }).first().click();
    await expectIncidentKept(cockpit, ticked);
    await shoot('05-after-restart');

    await cockpit.openPanel('Runbook');
    await cockpit.openRunbookSection('High Response Times');
    expect(await page.getByRole('article').getByRole('listitem').first().textContent()).toContain('kubectl');
    await shoot('06-runbook-procedure');
    expect(pageErrors).toEqual([]);
  });

  it('refuses a request without the token, with a wrong token, and a socket from another origin', async () => {
    const { host } = session;
    const bare = await fetch(`${host.origin}/`);
    expect(bare.status).toBe(401);
    expect(await bare.text()).toMatch(/Unauthorized: no token/);
    expect((await fetch(`${host.origin}/?token=wrong`)).status).toBe(401);
    expect((await fetch(host.url)).status).toBe(200);

    const wsUrl = `${host.origin.replace('http', 'ws')}/rpc`;
    const refused = (options: WebSocket.ClientOptions) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(wsUrl, options);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => undefined);
      });
    const token = new URL(host.url).searchParams.get('token')!;
    expect(await refused({ headers: { origin: host.origin } })).toBe(401);
    expect(await refused({ headers: { origin: 'http://evil.example', authorization: `Bearer ${token}` } })).toBe(401);
    expect(await refused({ headers: { origin: host.origin, authorization: `Bearer ${token}` } })).toBe(101);
  });
});

describe('web host: a malformed runbook', () => {
  it('shows the file, line and path of the mistake in the UI and the log, and keeps running', async () => {
    await withCockpit({ env: { COCKPIT_RUNBOOK: 'test/fixtures/runbooks/wrong-type.yaml' } }, async (page, host) => {
      const error = page.getByTestId('runbook-error');
      await error.waitFor();
      expect(await error.textContent()).toMatch(/wrong-type\.yaml:\d+:\d+: \S+: expected/);
      await screenshotter(page, 'e2e-web')('07-malformed-runbook');
      const log = await readFile(`${host.dataDir}/logs/cockpit.log`, 'utf8');
      expect(log).toMatch(/"event":"runbook.invalid".*wrong-type\.yaml:\d+/);
    });
  });
});

describe('web host: a broken kubeconfig', () => {
  it('names the file and the parser’s complaint in the Cluster panel and the log, and keeps the drill context', async () => {
    const broken = path.join(await mkdtemp(path.join(os.tmpdir(), 'kube-')), 'config');
    await writeFile(broken, 'apiVersion: v1\nkind: Config\nclusters: [}\n');
    await withCockpit({ env: { KUBECONFIG: broken }, hash: '#/cluster' }, async (page, host) => {
      const problems = page.getByTestId('kubeconfig-problems');
      await problems.waitFor();
      expect(await problems.textContent()).toContain(`${broken}: not a usable kubeconfig:`);
      await page.getByRole('cell', { name: 'drill', exact: true }).waitFor();
      expect(await page.getByTestId('context-select').inputValue()).toBe('drill');
      await screenshotter(page, 'e2e-web')('08-broken-kubeconfig');
      const log = await readFile(`${host.dataDir}/logs/cockpit.log`, 'utf8');
      expect(log).toContain('"event":"kubeconfig.invalid"');
    });
  });
});

describe('web host: the drill cluster’s scenario control', () => {
  it('injects a bad deploy from the Cluster panel that the real kubectl then sees', async () => {
    await withCockpit({ hash: '#/cluster' }, async (page, host) => {
      const toggle = page.getByRole('checkbox', { name: /^Bad deploy/ });
      await toggle.check();
      await expect.poll(() => toggle.isChecked()).toBe(true);
      const kubeconfig = `${host.dataDir}/drill/kubeconfig`;
      expect(await page.getByRole('region', { name: 'Cluster' }).textContent()).toContain(`KUBECONFIG=${kubeconfig} kubectl get pods`);
      const image = await promisify(execFile)(
        'kubectl',
        ['get', 'deployment', 'codesign-api', '-n', 'codesign-production', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'],
        { env: { ...process.env, KUBECONFIG: kubeconfig } },
      );
      expect(image.stdout).toMatch(/-bad$/);
      await screenshotter(page, 'e2e-web')('09-drill-bad-deploy');
    });
  });
});
