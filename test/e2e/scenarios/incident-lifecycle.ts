import { expect } from 'vitest';
import type { CockpitPage } from '../pages/cockpit-page';

export const TITLE = 'Checkout API P95 above 2s';
export const PASSPHRASE = 'correct horse battery staple';
export const NOTE = 'P95 at 2.4s since 10:05; started after the v2.1.0 rollout.';

/** Labels the scenario ticks: the first two steps of the incident process. */
export async function firstTwoProcessItems(cockpit: CockpitPage): Promise<[string, string]> {
  const labels = await cockpit.checklistLabels(/^1\. /);
  expect(labels.length).toBeGreaterThanOrEqual(2);
  return [labels[0]!, labels[1]!];
}

/**
 * The foundation's user path, shared by the web-host and Electron specs: declare a SEV2, see its
 * 1-hour target and checklist, tick two items, add a note, raise to SEV1 and see the 15-minute
 * target and SEV1's escalation with the ticks kept. Returns the two ticked labels.
 */
export async function declareWorkAndRaise(cockpit: CockpitPage, shoot: (name: string) => Promise<void>): Promise<[string, string]> {
  await cockpit.declareIncident(TITLE, 'SEV2', 'Users report slow design saves.');
  await expect.poll(() => cockpit.responseTime().textContent()).toBe('1 hour');
  await expect.poll(() => cockpit.responseCountdown().textContent()).toMatch(/^(59:[0-5]\d|1:00:00) left$/);
  const sev2Labels = await cockpit.checklistLabels();
  expect(sev2Labels).toContain('PagerDuty alert');
  expect(sev2Labels).not.toContain('Management notification');
  await shoot('01-sev2-declared');

  const ticked = await firstTwoProcessItems(cockpit);
  for (const label of ticked) await cockpit.tick(label);
  await cockpit.addNote(NOTE);
  await shoot('02-sev2-worked');

  await cockpit.setSeverity('SEV1');
  await expect.poll(() => cockpit.responseTime().textContent()).toBe('15 minutes');
  await expect.poll(() => cockpit.responseCountdown().textContent()).toMatch(/^(14:[0-5]\d|15:00) left$/);
  const sev1Labels = await cockpit.checklistLabels();
  expect(sev1Labels).toContain('Management notification');
  for (const label of ticked) expect(await cockpit.isTicked(label)).toBe(true);
  expect(await cockpit.timelineTexts()).toContain('Severity SEV2 → SEV1');
  await shoot('03-sev1-raised');
  return ticked;
}

/** What must still be there after a reload or a restart. */
export async function expectIncidentKept(cockpit: CockpitPage, ticked: readonly string[]): Promise<void> {
  await cockpit.page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  await expect.poll(() => cockpit.responseTime().textContent()).toBe('15 minutes');
  expect(await cockpit.topBarSeverity().textContent()).toBe('SEV1');
  for (const label of ticked) expect(await cockpit.isTicked(label)).toBe(true);
  expect(await cockpit.notes()).toContain(NOTE);
  expect(await cockpit.checklistLabels()).toContain('Management notification');
}
