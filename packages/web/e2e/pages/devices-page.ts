import type { Page } from 'playwright-core';

/** Devices: approve a pending device after comparing its fingerprint. */
export class DevicesPage {
  constructor(private readonly page: Page) {}

  /** Approves the pending device whose card shows `fingerprint`. */
  async approveByFingerprint(fingerprint: string): Promise<void> {
    const card = this.page.locator('[data-testid="device"][data-status="pending"]').filter({
      has: this.page.getByTestId('device-card-fingerprint').getByText(fingerprint, { exact: true }),
    });
    await card.waitFor({ timeout: 30_000 });
    await card.getByLabel('Der Fingerabdruck stimmt mit dem auf dem neuen Gerät überein.').check();
    await card.getByRole('button', { name: 'Freigeben' }).click();
    await this.page
      .locator('[data-testid="device"][data-status="approved"]')
      .filter({ hasText: fingerprint })
      .waitFor({ timeout: 30_000 });
  }
}
