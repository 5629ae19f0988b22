import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CockpitPage } from './pages/cockpit-page';
import { PASSPHRASE } from './scenarios/incident-lifecycle';
import { screenshotter } from './support/artifacts';
import { launchChromium } from './support/browser';
import { startWebHost } from './support/web-host-process';

describe('web host: a restart with a tab left open', () => {
  it('comes back on the same port, and the stale tab says the cockpit restarted and where the new address is', async () => {
    const env = { COCKPIT_DRILL: 'off' };
    let host = await startWebHost({ env, port: 'previous' });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(host.url);
      const cockpit = new CockpitPage(page);
      await cockpit.openEvidenceStore(PASSPHRASE);
      const firstPort = new URL(host.url).port;
      expect((await readFile(path.join(host.dataDir, 'web-host.url'), 'utf8')).trim()).toBe(host.url);

      const dataDir = host.dataDir;
      await host.stop();
      host = await startWebHost({ dataDir, env, port: 'previous' });
      expect(new URL(host.url).port).toBe(firstPort);
      expect(new URL(host.url).searchParams.get('token')).not.toBe(new URL(page.url()).searchParams.get('token'));

      // The old tab is told what happened instead of "Unreachable" forever.
      await expect.poll(async () => (await page.getByRole('alert').allTextContents()).join(' '), { timeout: 20_000 }).toMatch(/The cockpit restarted.*web-host\.url in its data folder/);
      await screenshotter(page, 'e2e-restart')('01-stale-tab');
      expect((await readFile(path.join(dataDir, 'web-host.url'), 'utf8')).trim()).toBe(host.url);
    } finally {
      await browser.close();
      await host.stop();
    }
  });
});
