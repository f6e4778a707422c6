import type { Page } from 'playwright-core';

/** The banner about a colleague's practice key not trusted yet, and its compare-and-confirm dialog. */
export class TrustBanner {
  constructor(private readonly page: Page) {}

  banner(username: string) {
    return this.page.getByRole('region', {
      name: `Neuer Praxisschlüssel von ${username} – Fingerabdruck vergleichen`,
    });
  }

  /** Opens the dialog and returns the fingerprint it shows for `username`. */
  async openComparison(username: string): Promise<string> {
    await this.banner(username).getByRole('button', { name: 'Fingerabdruck vergleichen' }).click();
    const fingerprint = this.dialog().getByTestId('granter-fingerprint');
    await fingerprint.waitFor();
    return (await fingerprint.textContent()) ?? '';
  }

  dialog() {
    return this.page.getByRole('dialog');
  }

  async confirm(): Promise<void> {
    await this.dialog().getByLabel('Die Fingerabdrücke stimmen überein.').check();
    await this.dialog().getByRole('button', { name: 'Vertrauen und Schlüssel entsperren' }).click();
    await this.dialog().waitFor({ state: 'hidden', timeout: 30_000 });
  }
}
