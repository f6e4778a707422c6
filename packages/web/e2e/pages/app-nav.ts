import type { Page } from 'playwright-core';

/** The signed-in navigation. */
export class AppNav {
  constructor(private readonly page: Page) {}

  async go(
    name:
      | 'Patienten'
      | 'Benutzer'
      | 'Geräte'
      | 'Sitzungen'
      | 'Protokoll'
      | 'Alarme'
      | 'Löschungen'
      | 'Datensicherung'
      | 'Einstellungen',
  ): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name }).click();
    await this.page.getByRole('heading', { level: 1 }).waitFor();
  }

  async waitUntilSignedIn(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Hauptnavigation' }).waitFor({ timeout: 30_000 });
  }

  async lock(): Promise<void> {
    await this.page.getByRole('button', { name: 'Sperren' }).click();
  }
}
