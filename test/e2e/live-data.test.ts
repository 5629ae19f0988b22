import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CockpitPage } from './pages/cockpit-page';
import { PASSPHRASE } from './scenarios/incident-lifecycle';
import { screenshotter } from './support/artifacts';
import { withCockpit } from './support/with-cockpit';

/** Asks main, through the page's own bridge, how many streams it is running. */
async function liveStreams(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const api = (globalThis as unknown as { cockpit: { invoke(n: string, i: unknown): Promise<{ ok: boolean; value: { liveStreams: number } }> } }).cockpit;
    const result = await api.invoke('app:diagnostics', {});
    return result.value.liveStreams;
  });
}

describe('web host: live-data platform', () => {
  it('a reload leaves no subscription of the previous page running in main', async () => {
    await withCockpit({ env: { COCKPIT_DRILL: 'off' } }, async (page) => {
      const cockpit = new CockpitPage(page);
      await cockpit.openEvidenceStore(PASSPHRASE);
      await expect.poll(() => liveStreams(page)).toBeGreaterThan(0);
      const onePage = await liveStreams(page);
      for (let i = 0; i < 5; i++) {
        await page.reload();
        await page.getByRole('navigation', { name: 'Panels' }).waitFor();
      }
      // Each load subscribes anew; the five pages before it hold nothing any more.
      await expect.poll(() => liveStreams(page)).toBe(onePage);
    });
  });

  it('a stream that is refused shows its error in the UI', async () => {
    await withCockpit({ env: { COCKPIT_DRILL: 'off', COCKPIT_RUNBOOK: 'test/fixtures/runbooks/wrong-type.yaml' } }, async (page) => {
      // No runbook, so no incidents: the incidents stream ends in an error the page shows.
      const alert = page.getByRole('alert');
      await expect.poll(async () => (await alert.allTextContents()).join(' '), { timeout: 15_000 }).toMatch(/Invalid .*wrong-type\.yaml/);
      await screenshotter(page, 'e2e-live-data')('01-stream-error');
      // Only the context sync runs: the refused incidents stream holds nothing in main.
      expect(await liveStreams(page)).toBe(1);
    });
  });

  it('an 8 MiB file is accepted; a larger one gets the limit by name, and the connection stays', async () => {
    await withCockpit({ env: { COCKPIT_DRILL: 'off' } }, async (page) => {
      const cockpit = new CockpitPage(page);
      await cockpit.openEvidenceStore(PASSPHRASE);
      await cockpit.declareIncident('Upload limits', 'SEV3');
      await cockpit.openPanel('Evidence');
      const input = page.locator('input[type=file][name=evidence-file]');
      await input.setInputFiles({ name: 'heap-8mib.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(8 * 1024 * 1024, 7) });
      await page.getByTestId('evidence-records').getByRole('button', { name: /heap-8mib\.bin/ }).first().waitFor({ timeout: 60_000 });
      await input.setInputFiles({ name: 'heap-9mib.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(9 * 1024 * 1024, 7) });
      await expect.poll(async () => (await page.getByRole('alert').allTextContents()).join(' ')).toMatch(/heap-9mib\.bin is 9 MiB; files up to 8 MiB can be attached here/);
      await screenshotter(page, 'e2e-live-data')('02-file-limit');
      // The socket was never dropped: requests still answer.
      expect(await liveStreams(page)).toBeGreaterThan(0);
    });
  });
});
