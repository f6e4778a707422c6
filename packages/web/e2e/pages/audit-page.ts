import type { Page } from 'playwright-core';

/** The audit trail and its verification on the device. */
export class AuditPage {
  constructor(private readonly page: Page) {}

  /** Runs "verify" and returns the result shown: ok or failed, with its text. */
  async verify(): Promise<{ result: string; text: string }> {
    await this.page.getByRole('button', { name: 'Prüfen', exact: true }).click();
    const shown = this.page.getByTestId('audit-result').locator('[data-result]');
    await shown.waitFor({ timeout: 60_000 });
    return {
      result: (await shown.getAttribute('data-result')) ?? '',
      text: (await shown.textContent()) ?? '',
    };
  }

  /** The listed entries' action codes (the cells show them in words). */
  async actions(): Promise<string[]> {
    const table = this.page.getByTestId('audit-entries');
    await table.waitFor();
    const cells = await table.locator('tbody tr td[data-action]').all();
    return Promise.all(cells.map(async (cell) => (await cell.getAttribute('data-action')) ?? ''));
  }

  /** The listed entries' actions as shown. */
  async actionLabels(): Promise<string[]> {
    const table = this.page.getByTestId('audit-entries');
    await table.waitFor();
    return table.locator('tbody tr td[data-action]').allTextContents();
  }
}
