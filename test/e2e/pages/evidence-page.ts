import type { Locator, Page } from 'playwright-core';

/** The Evidence panel as a responder uses it, by roles and labels. */
export class EvidencePage {
  constructor(readonly page: Page) {}

  /** A row of the record log, by the summary it shows. */
  record(summary: string): Locator {
    return this.page.getByTestId('evidence-records').getByRole('button', { name: new RegExp(summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
  }

  async paste(title: string, text: string): Promise<void> {
    await this.page.getByLabel('Title', { exact: true }).fill(title);
    await this.page.getByLabel('Pasted text (log excerpt, command output)').fill(text);
    await this.page.getByRole('button', { name: 'Seal as evidence' }).click();
    await this.record(title).first().waitFor();
  }

  /** Opens a record by its summary and answers the detail text shown. */
  async openRecord(summary: string): Promise<string> {
    await this.record(summary).first().click();
    return (await this.page.getByTestId('record-detail').locator('pre').textContent()) ?? '';
  }

  async verify(): Promise<string> {
    await this.page.getByRole('button', { name: 'Verify chain' }).click();
    const result = this.page.getByTestId('verify-result');
    await result.waitFor();
    return (await result.textContent()) ?? '';
  }

  /** Exports and answers the path of the file written. */
  async exportIncident(passphrase: string): Promise<string> {
    await this.page.getByLabel('Export passphrase (for the recipient)').fill(passphrase);
    await this.page.getByRole('button', { name: 'Export incident' }).click();
    const result = this.page.getByTestId('export-result');
    await result.waitFor();
    return (await result.getByRole('code').first().textContent()) ?? '';
  }
}
