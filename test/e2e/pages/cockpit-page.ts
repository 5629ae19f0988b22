import type { Locator, Page } from 'playwright-core';

/**
 * The cockpit as a user sees it, shared by the web-host and the Electron specs so they cannot
 * drift. Methods act the way a responder does: by labels and roles, not CSS internals.
 */
export class CockpitPage {
  constructor(readonly page: Page) {}

  /** Sets up or unlocks the evidence store when the cockpit asks; does nothing when it is open. */
  async openEvidenceStore(passphrase: string): Promise<void> {
    await this.page.locator('.vault-gate, .incident-layout, .evidence-panel').first().waitFor();
    const gate = this.page.locator('.vault-gate');
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

  async declareIncident(title: string, severity: 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4', summary?: string): Promise<void> {
    await this.page.getByRole('link', { name: 'Declare incident' }).click();
    await this.page.getByLabel('Title').fill(title);
    await this.page.locator(`input[name="severity"][value="${severity}"]`).check();
    if (summary) await this.page.getByLabel('Summary (optional)').fill(summary);
    await this.page.getByRole('button', { name: `Declare ${severity}` }).click();
    await this.page.getByRole('heading', { level: 1, name: title }).waitFor();
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

  checklistItem(label: string): Locator {
    return this.page.locator('.checklist-item', { has: this.page.getByText(label, { exact: true }) });
  }

  checklistLabels(): Promise<string[]> {
    return this.page.locator('.checklist-item .checklist-label').allTextContents();
  }

  async tick(label: string): Promise<void> {
    const checkbox = this.checklistItem(label).getByRole('checkbox');
    await checkbox.check();
    await this.checklistItem(label).locator('.done-by').waitFor();
  }

  isTicked(label: string): Promise<boolean> {
    return this.checklistItem(label).getByRole('checkbox').isChecked();
  }

  async addNote(text: string): Promise<void> {
    await this.page.getByLabel('New note').fill(text);
    await this.page.getByRole('button', { name: 'Add note' }).click();
    await this.page.locator('.note-text', { hasText: text }).waitFor();
  }

  notes(): Promise<string[]> {
    return this.page.locator('.note-text').allTextContents();
  }

  async setSeverity(severity: 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4'): Promise<void> {
    await this.page.locator('select[name="severity"]').selectOption(severity);
    await this.topBarSeverity().filter({ hasText: severity }).waitFor();
  }

  async setStatus(status: 'investigating' | 'mitigated' | 'resolved'): Promise<void> {
    await this.page.getByRole('group', { name: 'Status' }).getByRole('button', { name: new RegExp(status) }).click();
    await this.page.getByTestId('topbar-status').filter({ hasText: status }).waitFor();
  }

  timelineTexts(): Promise<string[]> {
    return this.page.locator('.timeline-text').allTextContents();
  }

  async openPanel(label: string): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Panels' }).getByRole('link', { name: new RegExp(`^${label}`) }).click();
  }
}
