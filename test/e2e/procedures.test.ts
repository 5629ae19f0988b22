import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CockpitApi } from '../../src/shared/contract';
import { CockpitPage } from './pages/cockpit-page';
import { PASSPHRASE } from './scenarios/incident-lifecycle';
import { screenshotter } from './support/artifacts';
import { webHostSession } from './support/with-cockpit';

const dialog = (page: Page) => page.getByRole('dialog');

/** Runs the health check from the checklist and answers the status of its pods line. */
async function healthCheck(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Run: Quick system check' }).click();
  await dialog(page).getByRole('button', { name: 'Run', exact: true }).click();
  const lines = dialog(page).getByRole('list', { name: 'Health checks' });
  await lines.waitFor({ timeout: 60_000 });
  const text = (await lines.getByRole('listitem').first().textContent()) ?? '';
  return text;
}

/** Issue 10 through the web host: rollback, scale up and the health check from an SEV2's checklist during a bad deploy. */
describe('web host: procedures from the checklist', () => {
  const session = webHostSession();

  it('rolls back a bad deploy with preview and typed name, offers the revert in the timeline, scales up, and the health check turns to pass', async () => {
    const { page } = session;
    const shoot = screenshotter(page, 'e2e-procedures');
    const cockpit = new CockpitPage(page);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(session.host.url);
    await cockpit.openEvidenceStore(PASSPHRASE);
    await cockpit.declareIncident('Checkout 500s after deploy', 'SEV2');
    const set = await page.evaluate(() => (globalThis as unknown as { cockpit: CockpitApi }).cockpit.invoke('drill:setScenario', { name: 'bad-deploy', active: true }));
    expect(set.ok).toBe(true);

    // The health check fails while the bad revision crash-loops.
    let first = '';
    for (let i = 0; i < 30 && !/fail/.test(first); i++) {
      first = await healthCheck(page);
      if (!/fail/.test(first)) {
        await page.getByRole('button', { name: 'Close' }).click();
        await page.waitForTimeout(2000);
      }
    }
    expect(first).toMatch(/fail.*Pods running and ready/);
    await shoot('01-health-check-failing');
    await page.getByRole('button', { name: 'Close' }).click();

    // Rollback from the checklist: preview, continue, the typed name, confirm.
    await page.getByRole('button', { name: /Rollback Process: Rollback to previous version/ }).click();
    await dialog(page).getByLabel('Equivalent kubectl command').filter({ hasText: 'kubectl rollout undo deployment/codesign-api -n codesign-production' }).waitFor();
    await dialog(page).getByLabel('Preview diff').waitFor();
    await shoot('02-rollback-preview');
    await dialog(page).getByRole('button', { name: 'Continue to confirmation' }).click();
    const confirm = dialog(page).getByRole('button', { name: 'Confirm and run' });
    await confirm.waitFor();
    expect(await confirm.isDisabled()).toBe(true);
    await dialog(page).getByLabel(/Type codesign-api to confirm/).fill('codesign-api');
    await shoot('03-rollback-typed-name');
    await confirm.click();
    await dialog(page).getByTestId('run-status').filter({ hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
    await shoot('04-rollback-done');
    await page.getByRole('button', { name: 'Close' }).click();

    // The timeline has the run and its revert offer.
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByText(/Ran 2\. Rollback to previous version: succeeded/).waitFor();
    await timeline.getByRole('button', { name: /Revert: Roll codesign-api forward again/ }).waitFor();
    await shoot('05-timeline-revert-offer');

    // Scale up, pre-filled with the runbook's 5.
    await page.getByRole('button', { name: 'Run: Scale up if resource constrained' }).click();
    expect(await dialog(page).getByLabel('Replicas').inputValue()).toBe('5');
    await dialog(page).getByLabel('Preview diff').filter({ hasText: 'spec.replicas: 5' }).waitFor();
    await dialog(page).getByRole('button', { name: 'Continue to confirmation' }).click();
    await dialog(page).getByRole('button', { name: 'Confirm and run' }).click();
    await dialog(page).getByTestId('run-status').filter({ hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    await shoot('06-scale-up-done');
    await page.getByRole('button', { name: 'Close' }).click();

    // The pods table reaches 5 (the Workloads panel's live view)...
    const incidentUrl = page.url();
    await page.goto(`${session.host.url.split('#')[0]}#/workloads`);
    await page.getByTestId('context-select').selectOption('drill');
    const runningApiPods = page.getByRole('grid', { name: 'Pods' }).getByRole('row').filter({ hasText: /codesign-api-\S*1\/1Running/ });
    await expect.poll(() => runningApiPods.count(), { timeout: 60_000 }).toBe(5);
    await shoot('07-pods-table-at-5');

    // ...and so does the runbook's daily pod check, run from the Runbook panel.
    await page.goto(`${session.host.url.split('#')[0]}#/runbook/checks/daily.pods`);
    let pods = '';
    for (let i = 0; i < 60 && (pods.match(/codesign-api-\S+\s+1\/1\s+Running/g) ?? []).length !== 5; i++) {
      if (i > 0) {
        await page.getByRole('button', { name: 'Close' }).click();
        await page.waitForTimeout(1000);
      }
      await page.getByRole('button', { name: /^Run Check system health \(pods\)/ }).click();
      await dialog(page).getByRole('button', { name: 'Run', exact: true }).click();
      pods = (await dialog(page).getByLabel(/^Output of/).textContent({ timeout: 30_000 })) ?? '';
    }
    expect(pods.match(/codesign-api-\S+\s+1\/1\s+Running/g)).toHaveLength(5);
    await shoot('07-daily-pod-check-at-5');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.goto(incidentUrl);

    // A run waiting for its confirmation survives a reload of the page: it lives in main.
    await page.getByRole('button', { name: 'Run: Enable circuit breakers if needed' }).click();
    await dialog(page).getByRole('button', { name: 'Continue to confirmation' }).click();
    await dialog(page).getByRole('button', { name: 'Confirm and run' }).waitFor();
    await page.reload();
    const live = page.getByRole('complementary', { name: 'Runs in progress' });
    await live.getByText(/waits for your confirmation/).waitFor();
    await shoot('08-run-waiting-after-reload');
    await live.getByRole('button', { name: 'Open run' }).click();
    await dialog(page).getByRole('button', { name: 'Confirm and run' }).click();
    await dialog(page).getByTestId('run-status').filter({ hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Close' }).click();

    // The timeline's revert for the scale-up: previewed and confirmed like any change.
    await timeline.getByRole('button', { name: /Revert: Scale codesign-api back to 3/ }).click();
    await dialog(page).getByLabel('Preview diff').filter({ hasText: 'spec.replicas: 3' }).waitFor();
    await shoot('09-revert-preview');
    await dialog(page).getByRole('button', { name: 'Confirm and run' }).click();
    await dialog(page).getByTestId('run-status').filter({ hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Close' }).click();
    await timeline.getByText(/Ran Scale codesign-api back to 3: succeeded/).waitFor();

    // A whole procedure pauses before its first change.
    await page.goto(`${session.host.url.split('#')[0]}#/runbook/emergency-scale-down`);
    await page.getByRole('button', { name: /Run the whole procedure/ }).click();
    await dialog(page).getByTestId('run-status').filter({ hasText: 'awaiting-confirmation' }).waitFor();
    await shoot('10-procedure-paused');
    await dialog(page).getByRole('button', { name: 'Abort run' }).click();
    await dialog(page).getByTestId('run-status').filter({ hasText: 'aborted' }).waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    await page.goto(incidentUrl);

    // After the rollback rolls out, the failing line turns to pass.
    let after = '';
    for (let i = 0; i < 60 && !/pass/.test(after); i++) {
      after = await healthCheck(page);
      if (!/pass/.test(after)) {
        await page.getByRole('button', { name: 'Close' }).click();
        await page.waitForTimeout(2000);
      }
    }
    expect(after).toMatch(/pass.*Pods running and ready/);
    await shoot('11-health-check-passing');
    expect(pageErrors).toEqual([]);
  }, 400_000);
});
