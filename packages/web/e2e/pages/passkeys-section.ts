import type { Page } from 'playwright-core';

/** Settings → Passkeys: list, add, remove. */
export class PasskeysSection {
  constructor(private readonly page: Page) {}

  private section() {
    return this.page.getByTestId('passkeys');
  }

  async add(name: string): Promise<void> {
    await this.section().getByLabel('Name des Passkeys').fill(name);
    await this.section().getByRole('button', { name: 'Passkey hinzufügen' }).click();
    await this.section().getByText(`Passkey „${name}“ wurde eingerichtet.`).waitFor({ timeout: 30_000 });
    await this.section().getByRole('listitem', { name }).waitFor();
  }

  /** The listed passkeys with their status line (waits until at least one is listed). */
  async list(): Promise<{ name: string; detail: string }[]> {
    const list = this.section().getByRole('list', { name: 'Ihre Passkeys' });
    await list.waitFor();
    const items = await list.getByRole('listitem').all();
    return Promise.all(
      items.map(async (item) => ({
        name: (await item.getByRole('heading').textContent()) ?? '',
        detail: (await item.locator('p').first().textContent()) ?? '',
      })),
    );
  }

  async waitForNone(): Promise<void> {
    await this.section().getByText('Noch keine Passkeys eingerichtet.').waitFor();
  }

  async remove(name: string): Promise<void> {
    const item = this.section().getByRole('listitem', { name });
    await item.getByRole('button', { name: 'Entfernen' }).click();
    await item.getByRole('button', { name: 'Passkey entfernen' }).click();
  }
}
