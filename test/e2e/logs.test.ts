/**
 * The Logs viewer through the web host against the drill, as a responder uses it during the
 * error spike: open codesign-api's logs (every pod merged), apply the runbook's errors filter,
 * see only matching lines with the count, capture them to the incident, and find the attachment
 * with its line count in the Evidence panel.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CockpitPage } from './pages/cockpit-page';
import { screenshotter } from './support/artifacts';
import { webHostSession } from './support/with-cockpit';

const PASSPHRASE = 'logs e2e passphrase';
const ERRORS = /ERROR|CRITICAL|500|502|503/;

/** The Logs panel, by role and label. */
const logsPanel = (page: Page) => ({
  lines: () => page.getByRole('log', { name: 'Log lines' }),
  rows: () => page.getByRole('log', { name: 'Log lines' }).locator('.log-row'),
  counts: () => page.getByLabel('Line counts'),
  preset: (label: string) => page.getByRole('group', { name: 'Runbook filters' }).getByRole('button', { name: label, exact: true }),
  sources: () => page.getByLabel('Sources'),
});

const inject = (page: Page, name: string, active = true) =>
  page.evaluate(
    async ({ name, active }) =>
      (globalThis as unknown as { cockpit: { invoke(n: string, i: unknown): Promise<{ ok: boolean }> } }).cockpit.invoke('drill:setScenario', { name, active }),
    { name, active },
  );

describe('web host: the Logs viewer during the error spike', () => {
  const session = webHostSession();

  it('filters codesign-api’s merged logs to the errors, counts them, and captures them into the incident', async () => {
    const { page } = session;
    const shoot = screenshotter(page, 'e2e-logs');
    const cockpit = new CockpitPage(page);
    const logs = logsPanel(page);
    await page.goto(session.host.url);
    await cockpit.openEvidenceStore(PASSPHRASE);
    await cockpit.declareIncident('codesign-api answering 503', 'SEV2');
    expect((await inject(page, 'error-spike')).ok).toBe(true);

    await page.goto(`${session.host.url}#/logs/deployment:codesign-api`);
    await expect.poll(() => logs.sources().textContent(), { timeout: 20_000 }).toMatch(/codesign-api-.*streaming/);
    await expect.poll(() => logs.rows().count(), { timeout: 20_000 }).toBeGreaterThan(10);
    await expect.poll(async () => (await logs.rows().allTextContents()).some((t) => t.includes('…')), { timeout: 10_000 }).toBe(false);
    await shoot('01-following-codesign-api');

    // A scroll up leaves follow at once and the list stays where the scroll took it (not the top
    // of the buffer); a scroll back down to the bottom follows again.
    const followButton = page.getByRole('button', { name: 'Follow', exact: true });
    const scrollTop = () => logs.lines().evaluate((el) => el.scrollTop);
    await expect.poll(() => followButton.getAttribute('aria-pressed')).toBe('true');
    const followedAt = await scrollTop();
    await logs.lines().hover();
    await page.mouse.wheel(0, -300);
    await expect.poll(() => followButton.getAttribute('aria-pressed')).toBe('false');
    await expect.poll(async () => (await logs.rows().allTextContents()).some((t) => t.includes('…')), { timeout: 10_000 }).toBe(false);
    const leftAt = await scrollTop();
    expect(leftAt).toBeGreaterThan(followedAt - 600);
    // Above the bottom, and not pulled back down by a repaint. (Not compared with `followedAt`:
    // lines that arrived between that read and the wheel moved the bottom down by then.)
    const fromBottom = await logs.lines().evaluate((el) => el.scrollHeight - el.clientHeight - el.scrollTop);
    expect(fromBottom).toBeGreaterThan(100);
    await page.mouse.wheel(0, 100_000);
    await expect.poll(() => followButton.getAttribute('aria-pressed')).toBe('true');

    await logs.preset('Errors').click();
    await expect.poll(() => logs.counts().textContent(), { timeout: 10_000 }).toMatch(/^[\d,]+ of [\d,]+ lines match/);
    const counted = Number(/^([\d,]+) of/.exec((await logs.counts().textContent()) ?? '')![1]!.replace(/,/g, ''));
    expect(counted).toBeGreaterThan(0);
    await expect.poll(async () => (await logs.rows().allTextContents()).filter((t) => t !== '…').length, { timeout: 10_000 }).toBeGreaterThan(0);
    const shown = await logs.rows().allTextContents();
    for (const row of shown) expect(row).toMatch(ERRORS);
    expect(await logs.lines().locator('mark').count()).toBeGreaterThan(0);
    await shoot('02-errors-filter');

    await page.getByRole('button', { name: 'Capture to incident' }).click();
    const status = page.getByRole('status').filter({ hasText: /^Captured [\d,]+ lines to inc-/ });
    await status.waitFor({ timeout: 15_000 });
    const captured = /^Captured ([\d,]+) lines to (inc-\S+) as (\S+)/.exec((await status.textContent()) ?? '')!;
    const lines = Number(captured[1]!.replace(/,/g, ''));
    expect(lines).toBeGreaterThanOrEqual(counted);
    expect(captured[3]).toBe(`logs-deployment-codesign-api-${lines}-lines.log`);
    await shoot('03-captured');

    await cockpit.openPanel('Evidence');
    const attachment = page.getByRole('row').filter({ hasText: captured[3]! });
    await attachment.waitFor({ timeout: 15_000 });
    await attachment.getByRole('button', { name: 'Preview' }).click();
    const preview = page.locator('.attachment-preview');
    await preview.waitFor();
    const text = (await preview.textContent()) ?? '';
    expect(text).toContain(`# lines: ${lines}`);
    expect(text).toContain('# context: drill');
    expect(text).toContain('# namespace: codesign-production');
    expect(text).toMatch(/# query: \/ERROR\|CRITICAL\|500\|502\|503\//);
    expect(text).toMatch(/# time range: \d{4}-\d\d-\d\dT.* – \d{4}-/);
    await shoot('04-evidence-attachment');
  }, 120_000);

  it('names a pod that does not exist, and highlights matches with next / previous in the unfiltered view', async () => {
    const { page } = session;
    const shoot = screenshotter(page, 'e2e-logs');
    const logs = logsPanel(page);
    await page.goto(`${session.host.url}#/logs/pod:codesign-api-nope-12345`);
    const error = page.getByRole('alert').filter({ hasText: 'NotFound' });
    await error.waitFor({ timeout: 20_000 });
    expect(await error.textContent()).toMatch(/pod "codesign-api-nope-12345" not found in namespace codesign-production/);
    await shoot('05-pod-not-found');

    await page.goto(`${session.host.url}#/logs/deployment:codesign-api/memory-leaks.memory-logs`);
    // The runbook step's own filter (grep -i memory) is applied on open.
    await expect.poll(() => page.getByLabel('Active filters').textContent(), { timeout: 20_000 }).toMatch(/\/memory\/i/);
    await page.getByLabel('Filter mode').selectOption('highlight');
    const matched = async () => Number(/^([\d,]+) of/.exec((await logs.counts().textContent()) ?? '')?.[1]?.replace(/,/g, '') ?? 0);
    await expect.poll(matched, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    await page.getByRole('button', { name: 'Follow', exact: true }).click();
    // From the newest lines on screen back to the match before them.
    await page.getByRole('button', { name: '↑ Previous match' }).click();
    await expect.poll(() => logs.lines().locator('.log-text.current').count(), { timeout: 10_000 }).toBe(1);
    expect(await logs.lines().locator('.log-text.current').textContent()).toMatch(/memory/i);
    await shoot('06-highlight-previous-match');
  }, 60_000);
});
