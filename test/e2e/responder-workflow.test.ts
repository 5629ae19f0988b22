import { describe, expect, it } from 'vitest';
import { CockpitPage } from './pages/cockpit-page';
import { PASSPHRASE } from './scenarios/incident-lifecycle';
import { screenshotter } from './support/artifacts';
import { webHostSession } from './support/with-cockpit';

const WIDE = `kubectl get pods -n codesign-production -o custom-columns=NAME:.metadata.name,STATUS:.status.phase,RESTARTS:.status.containerStatuses[0].restartCount,NODE:.spec.nodeName,IMAGE:.spec.containers[0].image,STARTED:.status.startTime`;

/** What tripped a first-time responder up (issue 15, items 3–6 and 10), walked through the web host. */
describe('web host: the incident workflow as a first-time responder meets it', () => {
  const session = webHostSession();

  it('keeps drafts as drafts, shows note revisions with a diff, and asks before resolving with open items', async () => {
    const { page } = session;
    const shoot = screenshotter(page, 'e2e-responder');
    const cockpit = new CockpitPage(page);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(session.host.url);
    await cockpit.openEvidenceStore(PASSPHRASE);

    // A half-typed declaration survives switching panels.
    await page.getByLabel('Title').fill('Checkout returns 500');
    await cockpit.severityChoice('SEV1').check();
    await page.getByLabel('Summary (optional)').fill('Since 10:02, all regions');
    await cockpit.openPanel('Runbook');
    await cockpit.openPanel('Incident');
    expect(await page.getByLabel('Title').inputValue()).toBe('Checkout returns 500');
    expect(await page.getByLabel('Summary (optional)').inputValue()).toBe('Since 10:02, all regions');
    expect(await cockpit.severityChoice('SEV1').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Declare SEV1' }).click();
    await cockpit.incidentHeading('Checkout returns 500').waitFor();

    // The autosaved note is a sealed draft, not a note and not a timeline entry, until it is added.
    await cockpit.newNote().fill('Pool exhausted at 10:05');
    await cockpit.draftState().filter({ hasText: 'draft sealed' }).waitFor();
    expect(await cockpit.notes()).toEqual([]);
    expect((await cockpit.timelineTexts()).join('\n')).not.toContain('Pool exhausted');
    await cockpit.openPanel('Evidence');
    await cockpit.openPanel('Incident');
    expect(await cockpit.newNote().inputValue()).toBe('Pool exhausted at 10:05');
    await page.getByRole('button', { name: 'Add note' }).click();
    await cockpit.note('Pool exhausted at 10:05').waitFor();
    expect(await cockpit.newNote().inputValue()).toBe('');
    expect(await cockpit.timelineTexts()).toContain('note added');

    // Leaving the panel seals the draft at once, so even a reload right after keeps it.
    await cockpit.newNote().fill('Second thought: check pgbouncer');
    await cockpit.openPanel('Runbook');
    await page.reload();
    await cockpit.openPanel('Incident');
    await expect.poll(() => cockpit.newNote().inputValue()).toBe('Second thought: check pgbouncer');
    await cockpit.newNote().fill('');

    // Editing makes revision 2: the timeline says so, renders it, and diffs it on demand.
    await cockpit.note('Pool exhausted at 10:05').getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Edit note').fill(`Pool exhausted at 10:02, not 10:05\n\n\`\`\`\n${WIDE}\n\`\`\``);
    await page.getByRole('button', { name: 'Save revision' }).click();
    const revision = cockpit.timeline().getByRole('listitem').filter({ hasText: 'note edited (revision 2)' });
    await revision.waitFor();
    expect(await revision.getByTestId('timeline-note').getByRole('code').first().textContent()).toContain('custom-columns');
    await revision.getByRole('button', { name: 'Changes from revision 1' }).click();
    const diff = revision.getByLabel('Changes from revision 1 to 2');
    expect(await diff.getByRole('deletion').allTextContents()).toEqual(['- Pool exhausted at 10:05\n']);
    expect((await diff.getByRole('insertion').allTextContents())[0]).toBe('+ Pool exhausted at 10:02, not 10:05\n');
    // The wide code block scrolls inside the timeline instead of being cut off or widening the page.
    const block = revision.getByTestId('timeline-note').locator('pre');
    const scroll = await block.evaluate((el) => ({ overflow: el.ownerDocument.defaultView!.getComputedStyle(el).overflowX, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
    expect(scroll.overflow).toBe('auto');
    expect(scroll.scrollWidth).toBeGreaterThan(scroll.clientWidth);
    const timelineBox = (await cockpit.timeline().boundingBox())!;
    const blockBox = (await block.boundingBox())!;
    expect(blockBox.x + blockBox.width).toBeLessThanOrEqual(timelineBox.x + timelineBox.width + 1);
    await revision.scrollIntoViewIfNeeded();
    await shoot('01-note-revision-diff');

    // Resolving with open items asks, listing them; the response is not reported as made.
    await cockpit.tick('PagerDuty alert');
    await cockpit.statusButton('resolved').click();
    const dialog = cockpit.resolveDialog();
    await dialog.waitFor();
    const open = await dialog.getByRole('list', { name: 'Open checklist items' }).getByRole('listitem').allTextContents();
    expect(open.some((item) => item.startsWith('Management notification'))).toBe(true);
    expect(open.some((item) => item.startsWith('PagerDuty alert'))).toBe(false);
    await shoot('02-resolve-confirmation');
    await dialog.getByRole('button', { name: 'Keep working' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByTestId('topbar-status').textContent()).toBe('investigating');

    await cockpit.statusButton('resolved').click();
    await cockpit.resolveDialog().getByRole('button', { name: /^Resolve with \d+ open$/ }).click();
    await page.getByTestId('topbar-status').filter({ hasText: 'resolved' }).waitFor();
    const countdown = await cockpit.responseCountdown().textContent();
    expect(countdown).toMatch(/^Resolved at \d\d:\d\d(:\d\d)? without a response: Management notification not done$/);
    expect(countdown).not.toMatch(/Responded/);
    // Amber (the stylesheet's --warn), not the green of a response made.
    expect(await cockpit.responseCountdown().evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).color)).toBe('rgb(210, 153, 34)');
    const resolvedEntry = (await cockpit.timelineTexts()).find((t) => t.startsWith('Status investigating → resolved'));
    expect(resolvedEntry).toMatch(new RegExp(`^Status investigating → resolved with ${open.length} open checklist items: Management notification; `));
    await shoot('03-resolved-without-response');
    expect(pageErrors).toEqual([]);
  });

  it('opens the active incident after unlock, or the one in the URL', async () => {
    const { page } = session;
    const shoot = screenshotter(page, 'e2e-responder');
    const cockpit = new CockpitPage(page);
    await page.goto(session.host.url);
    await cockpit.openEvidenceStore(PASSPHRASE);
    await cockpit.declareIncident('Celery queue backing up', 'SEV3');
    const activeUrl = page.url();

    const restarted = await session.restart();
    await page.goto(restarted.url);
    await cockpit.openEvidenceStore(PASSPHRASE);
    await cockpit.incidentHeading('Celery queue backing up').waitFor();
    expect(await page.getByTestId('topbar-severity').textContent()).toBe('SEV3');
    await shoot('04-active-after-unlock');

    const resolvedId = (await page.getByRole('complementary', { name: 'Incidents' }).getByRole('link', { name: /Checkout returns 500/ }).getAttribute('href'))!;
    const again = await session.restart();
    await page.goto(`${again.url}${resolvedId}`);
    await cockpit.openEvidenceStore(PASSPHRASE);
    await cockpit.incidentHeading('Checkout returns 500').waitFor();
    expect(activeUrl).toContain('#/incident/inc-');
  });

  it('searches the runbook from anywhere (Ctrl+K or /) and opens the step', async () => {
    const { page } = session;
    const shoot = screenshotter(page, 'e2e-responder');
    const cockpit = new CockpitPage(page);
    await page.goto(session.host.url);
    await cockpit.openEvidenceStore(PASSPHRASE);
    await cockpit.incidentHeading().first().waitFor();

    await page.keyboard.press('Control+K');
    const search = cockpit.runbookSearch();
    await search.waitFor();
    await search.getByRole('searchbox', { name: 'Search the runbook' }).fill('rollout undo');
    const results = search.getByRole('list', { name: 'Search results' }).getByRole('button');
    await results.first().waitFor();
    expect(await results.first().textContent()).toContain('rollout undo');
    await shoot('05-runbook-search');
    await page.keyboard.press('Enter');
    await search.waitFor({ state: 'detached' });
    const step = page.getByRole('article').locator('[aria-current="step"]');
    await step.waitFor();
    expect(await step.textContent()).toContain('rollout undo');
    expect(page.url()).toMatch(/#\/runbook\/[^/]+\/[^/]+$/);
    expect(await step.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await shoot('06-runbook-step-opened');

    // `/` opens it too (when not typing), and a description finds steps whose command does not say it.
    await page.getByRole('heading', { level: 1 }).first().click();
    await page.keyboard.press('/');
    await search.waitFor();
    await search.getByRole('searchbox').fill('connections');
    await results.first().waitFor();
    await page.keyboard.press('Escape');
    await search.waitFor({ state: 'detached' });
  });
});
