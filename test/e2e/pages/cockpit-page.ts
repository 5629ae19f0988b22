import type { Locator, Page } from 'playwright-core';

type Severity = 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4';

/**
 * The cockpit as a user sees it, shared by the web-host and the Electron specs so they cannot
 * drift. Methods act the way a responder does: by roles and labels, never CSS classes (a test id
 * only where the text itself is what is read).
 */
export class CockpitPage {
  constructor(readonly page: Page) {}

  /** The evidence store's set-up or unlock form, when the cockpit asks for it. */
  vaultGate(): Locator {
    return this.page.getByRole('form', { name: /^(Set up|Unlock) the evidence store$/ });
  }

  /** Sets up or unlocks the evidence store when the cockpit asks; does nothing when it is open. */
  async openEvidenceStore(passphrase: string): Promise<void> {
    const gate = this.vaultGate();
    await gate.or(this.page.getByRole('complementary', { name: 'Incidents' })).or(this.page.getByRole('region', { name: 'Evidence' })).first().waitFor();
    if (!(await gate.isVisible())) return;
    await this.page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    if (await this.page.getByLabel('Repeat passphrase').isVisible()) {
      await this.page.getByLabel('Repeat passphrase').fill(passphrase);
      await this.page.getByRole('button', { name: 'Create evidence store' }).click();
    } else {
      await this.page.getByRole('button', { name: 'Unlock' }).click();
    }
    await gate.waitFor({ state: 'detached' });
  }

  async declareIncident(title: string, severity: Severity, summary?: string): Promise<void> {
    await this.page.getByRole('link', { name: 'Declare incident' }).click();
    await this.page.getByLabel('Title').fill(title);
    await this.severityChoice(severity).check();
    if (summary) await this.page.getByLabel('Summary (optional)').fill(summary);
    await this.page.getByRole('button', { name: `Declare ${severity}` }).click();
    await this.incidentHeading(title).waitFor();
  }

  /** A severity radio of the declare form. */
  severityChoice(severity: Severity): Locator {
    return this.page.getByRole('group', { name: 'Severity' }).getByRole('radio', { name: new RegExp(`^${severity}\\b`) });
  }

  incidentHeading(title?: string): Locator {
    return this.page.getByRole('heading', { level: 1, ...(title ? { name: title } : {}) });
  }

  responseTime(): Locator {
    return this.page.getByTestId('response-time');
  }

  responseCountdown(): Locator {
    return this.page.getByTestId('response-countdown');
  }

  topBarSeverity(): Locator {
    return this.page.getByTestId('topbar-severity');
  }

  checklist(): Locator {
    return this.page.getByRole('region', { name: /^Checklist/ });
  }

  /** A checklist row: the list item holding the checkbox named `label`. */
  checklistItem(label: string): Locator {
    return this.checklist().getByRole('listitem').filter({ has: this.page.getByRole('checkbox', { name: label, exact: true }) });
  }

  /** The labels of the checklist's items, in order; `group` narrows to one group (`Escalation`, `1.`). */
  checklistLabels(group?: string | RegExp): Promise<string[]> {
    const scope = group === undefined ? this.checklist() : this.checklist().getByRole('group', { name: group });
    return scope.getByRole('checkbox').evaluateAll((boxes) => boxes.map((box) => box.getAttribute('aria-label') ?? ''));
  }

  async tick(label: string): Promise<void> {
    await this.checklist().getByRole('checkbox', { name: label, exact: true }).check();
    await this.checklistItem(label).getByTestId('done-by').waitFor();
  }

  isTicked(label: string): Promise<boolean> {
    return this.checklist().getByRole('checkbox', { name: label, exact: true }).isChecked();
  }

  newNote(): Locator {
    return this.page.getByLabel('New note');
  }

  draftState(): Locator {
    return this.page.getByTestId('draft-state');
  }

  async addNote(text: string): Promise<void> {
    await this.newNote().fill(text);
    await this.page.getByRole('button', { name: 'Add note' }).click();
    await this.page.getByRole('list', { name: 'Notes' }).getByTestId('note-text').filter({ hasText: text }).first().waitFor();
  }

  /** The notes as rendered (Markdown shown as text), newest first. */
  notes(): Promise<string[]> {
    return this.page.getByRole('list', { name: 'Notes' }).getByTestId('note-text').allTextContents();
  }

  note(text: string): Locator {
    return this.page.getByRole('list', { name: 'Notes' }).getByRole('listitem').filter({ hasText: text });
  }

  async setSeverity(severity: Severity): Promise<void> {
    await this.page.getByRole('combobox', { name: 'Severity' }).selectOption(severity);
    await this.topBarSeverity().filter({ hasText: severity }).waitFor();
  }

  statusButton(status: 'investigating' | 'mitigated' | 'resolved'): Locator {
    return this.page.getByRole('group', { name: 'Status' }).getByRole('button', { name: new RegExp(status) });
  }

  async setStatus(status: 'investigating' | 'mitigated' | 'resolved'): Promise<void> {
    await this.statusButton(status).click();
    await this.page.getByTestId('topbar-status').filter({ hasText: status }).waitFor();
  }

  /** The confirmation resolving asks for when checklist items are open. */
  resolveDialog(): Locator {
    return this.page.getByRole('alertdialog', { name: /^Resolve with \d+ open checklist items?\?$/ });
  }

  timeline(): Locator {
    return this.page.getByRole('region', { name: 'Timeline' });
  }

  timelineTexts(): Promise<string[]> {
    return this.timeline().getByTestId('timeline-text').allTextContents();
  }

  async openPanel(label: string): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Panels' }).getByRole('link', { name: new RegExp(`^${label}`) }).click();
  }

  runbookSearch(): Locator {
    return this.page.getByRole('dialog', { name: 'Search the runbook' });
  }

  /** Opens a runbook procedure from the table of contents. */
  async openRunbookSection(title: string): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Runbook sections' }).getByRole('link', { name: title }).click();
    await this.page.getByRole('heading', { level: 1, name: title }).waitFor();
  }

  /** A runbook step on screen, by its title. */
  runbookStep(title: string): Locator {
    return this.page.getByRole('article').getByRole('listitem', { name: title, exact: true });
  }
}
