import type { Page } from 'playwright-core';

/** The "create practice" screen and the one-time recovery code after it. */
export class CreatePracticePage {
  constructor(private readonly page: Page) {}

  async open(baseUrl: string): Promise<void> {
    await this.page.goto(`${baseUrl}/create-practice`);
  }

  async create(input: { practiceName: string; username: string; password: string }): Promise<void> {
    await this.page.getByLabel('Name der Praxis').fill(input.practiceName);
    await this.page.getByLabel('Anmeldename').fill(input.username);
    await this.page.getByLabel('Passwort', { exact: true }).fill(input.password);
    await this.page.getByLabel('Passwort wiederholen').fill(input.password);
    await this.page.getByRole('button', { name: 'Praxis anlegen' }).click();
  }

  /** The recovery code as shown (groups joined by "-"). */
  async recoveryCode(): Promise<string> {
    const code = this.page.getByTestId('recovery-code');
    await code.waitFor({ timeout: 30_000 });
    return (await code.locator('span').allTextContents()).join('-');
  }

  continueButton() {
    return this.page.getByRole('button', { name: 'Weiter' });
  }

  /** Confirms the code is stored and continues to sign-in. */
  async confirmStored(): Promise<void> {
    await this.page.getByLabel('Ich habe den Wiederherstellungscode sicher aufbewahrt.').check();
    await this.continueButton().click();
  }
}
