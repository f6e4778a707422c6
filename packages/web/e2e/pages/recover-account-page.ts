import type { Page } from 'playwright-core';

/** "Forgot your password?": login name, recovery code and a new password, then the confirmation. */
export class RecoverAccountPage {
  constructor(private readonly page: Page) {}

  /** Follows the link on the sign-in page. */
  async openFromSignIn(): Promise<void> {
    await this.page.getByRole('link', { name: 'Mit Wiederherstellungscode anmelden' }).click();
    await this.page.getByRole('heading', { level: 1, name: 'Zugang wiederherstellen' }).waitFor();
  }

  async fill(input: { username: string; recoveryCode: string; newPassword: string }): Promise<void> {
    await this.page.getByLabel('Anmeldename').fill(input.username);
    await this.page.getByLabel('Wiederherstellungscode').fill(input.recoveryCode);
    await this.page.getByLabel('Neues Passwort', { exact: true }).fill(input.newPassword);
    await this.page.getByLabel('Passwort wiederholen').fill(input.newPassword);
  }

  async fillCode(recoveryCode: string): Promise<void> {
    await this.page.getByLabel('Wiederherstellungscode').fill(recoveryCode);
  }

  async submit(): Promise<void> {
    await this.page.getByRole('button', { name: 'Neues Passwort setzen' }).click();
  }

  /** What the form holds, e.g. to see that a failed attempt kept it. */
  async values(): Promise<{ username: string; recoveryCode: string; newPassword: string; repeated: string }> {
    return {
      username: await this.page.getByLabel('Anmeldename').inputValue(),
      recoveryCode: await this.page.getByLabel('Wiederherstellungscode').inputValue(),
      newPassword: await this.page.getByLabel('Neues Passwort', { exact: true }).inputValue(),
      repeated: await this.page.getByLabel('Passwort wiederholen').inputValue(),
    };
  }

  errorAlert() {
    return this.page.getByRole('alert');
  }

  /** Waits for the confirmation and returns its text. */
  async confirmation(): Promise<string> {
    await this.page
      .getByRole('heading', { level: 1, name: 'Neues Passwort gesetzt' })
      .waitFor({ timeout: 30_000 });
    return (await this.page.locator('main').textContent()) ?? '';
  }

  async goToSignIn(): Promise<void> {
    await this.page.getByRole('link', { name: 'Zur Anmeldung' }).click();
  }
}
