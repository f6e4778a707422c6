import type { Page } from 'playwright-core';

/** Datensicherung: usage, create a credential (token shown once), revoke one. */
export class BackupPage {
  constructor(private readonly page: Page) {}

  /** The usage facts as shown, e.g. "0 B von 107,4 GB" and "30 Tage". */
  async usageText(): Promise<string> {
    const usage = this.page.getByTestId('backup-usage');
    await usage.waitFor();
    return (await usage.textContent()) ?? '';
  }

  /** Creates a credential and returns the one-time token and command line as shown. */
  async create(
    name: string,
    kind: 'Sicherungsprogramm' | 'Aufräumen',
  ): Promise<{ token: string; command: string; warning: string }> {
    await this.page.getByLabel('Bezeichnung').fill(name);
    await this.page.getByLabel('Art').selectOption({ label: kind });
    await this.page.getByRole('button', { name: 'Zugangsschlüssel anlegen' }).click();
    const shown = this.page.getByTestId('backup-token');
    await shown.waitFor({ timeout: 30_000 });
    return {
      token: await shown.getByTestId('backup-token-value').inputValue(),
      command: await shown.getByTestId('backup-token-command').inputValue(),
      warning: (await shown.getByRole('alert').textContent()) ?? '',
    };
  }

  /** Hides the one-time token again. */
  async dismissToken(): Promise<void> {
    await this.page.getByRole('button', { name: 'Gespeichert – ausblenden' }).click();
    await this.page.getByTestId('backup-token').waitFor({ state: 'detached' });
  }

  private credential(name: string) {
    return this.page
      .getByRole('list', { name: 'Zugangsschlüssel der Praxis' })
      .getByRole('listitem', { name });
  }

  /** Waits until the credential is listed with the given status. */
  async waitForStatus(name: string, status: 'active' | 'revoked'): Promise<void> {
    await this.page
      .locator(`[data-testid="backup-credential"][data-status="${status}"]`)
      .filter({ has: this.page.getByRole('heading', { name }) })
      .waitFor({ timeout: 30_000 });
  }

  async revoke(name: string): Promise<void> {
    const item = this.credential(name);
    await item.getByRole('button', { name: 'Widerrufen', exact: true }).click();
    await item.getByRole('button', { name: 'Zugangsschlüssel widerrufen' }).click();
    await this.waitForStatus(name, 'revoked');
  }
}
