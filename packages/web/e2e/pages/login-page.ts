import type { Page } from 'playwright-core';

/** Sign-in: password, then TOTP enrolment or code, or the device-pending state. */
export class LoginPage {
  constructor(private readonly page: Page) {}

  async open(baseUrl: string, username?: string): Promise<void> {
    await this.page.goto(`${baseUrl}/login${username === undefined ? '' : `?user=${username}`}`);
  }

  async submitPassword(username: string, password: string): Promise<void> {
    await this.page.getByLabel('Anmeldename').fill(username);
    await this.page.getByLabel('Passwort', { exact: true }).fill(password);
    await this.page.getByRole('button', { name: 'Anmelden', exact: true }).click();
  }

  /** The TOTP secret shown at enrolment (waits for the enrolment screen). */
  async enrolmentSecret(): Promise<string> {
    const secret = this.page.getByTestId('totp-secret');
    await secret.waitFor({ timeout: 30_000 });
    return (await secret.textContent()) ?? '';
  }

  async waitForCodePrompt(): Promise<void> {
    await this.page.getByLabel('Sechsstelliger Code').waitFor({ timeout: 30_000 });
  }

  async codeValue(): Promise<string> {
    return this.page.getByLabel('Sechsstelliger Code').inputValue();
  }

  async submitCode(code: string): Promise<void> {
    await this.page.getByLabel('Sechsstelliger Code').fill(code);
    await this.page.getByRole('button', { name: 'Bestätigen' }).click();
  }

  /** Answers the second-factor prompt with a passkey instead of the code. */
  async usePasskey(): Promise<void> {
    await this.page.getByRole('button', { name: 'Passkey verwenden' }).click();
  }

  errorAlert() {
    return this.page.getByRole('alert');
  }

  /** The device fingerprint shown while the device waits for approval. */
  async pendingFingerprint(): Promise<string> {
    const fingerprint = this.page.getByTestId('device-fingerprint');
    await fingerprint.waitFor({ timeout: 30_000 });
    return (await fingerprint.textContent()) ?? '';
  }

  async retryAfterApproval(): Promise<void> {
    await this.page.getByRole('button', { name: 'Erneut anmelden' }).click();
  }
}
