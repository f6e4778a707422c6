import type { Page } from 'playwright-core';

/** Joining from an invite link: own credentials, recovery code, own fingerprint. */
export class AcceptInvitePage {
  constructor(private readonly page: Page) {}

  async open(link: string): Promise<void> {
    await this.page.goto(link);
  }

  async register(username: string, password: string): Promise<void> {
    await this.page.getByLabel('Anmeldename').fill(username);
    await this.page.getByLabel('Passwort', { exact: true }).fill(password);
    await this.page.getByLabel('Passwort wiederholen').fill(password);
    await this.page.getByRole('button', { name: 'Konto anlegen' }).click();
    await this.page.getByTestId('recovery-code').waitFor({ timeout: 30_000 });
    await this.page.getByLabel('Ich habe den Wiederherstellungscode sicher aufbewahrt.').check();
    await this.page.getByRole('button', { name: 'Weiter' }).click();
  }

  async ownFingerprint(): Promise<string> {
    const fingerprint = this.page.getByTestId('own-fingerprint');
    await fingerprint.waitFor({ timeout: 30_000 });
    return (await fingerprint.textContent()) ?? '';
  }

  async goToSignIn(): Promise<void> {
    await this.page.getByRole('button', { name: 'Zur Anmeldung' }).click();
  }
}
