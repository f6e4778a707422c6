import type { Page } from 'playwright-core';

/** Users: invite links, members with fingerprints, key hand-over. */
export class UsersPage {
  constructor(private readonly page: Page) {}

  async createInvite(role: 'primary' | 'secondary' = 'secondary'): Promise<string> {
    const link = this.page.getByTestId('invite-link');
    // A link created earlier may still be on screen: wait for a new one.
    const previous = (await link.count()) > 0 ? await link.inputValue() : undefined;
    await this.page.getByLabel('Rolle', { exact: true }).selectOption(role);
    await this.page.getByRole('button', { name: 'Einladungslink erstellen' }).click();
    await link.waitFor({ timeout: 30_000 });
    await this.page.waitForFunction(
      (before) => {
        const input = document.querySelector<HTMLInputElement>('[data-testid="invite-link"]');
        return input !== null && input.value !== '' && input.value !== before;
      },
      previous ?? '',
      { timeout: 30_000 },
    );
    return link.inputValue();
  }

  member(username: string) {
    return this.page.locator(`[data-testid="member"][data-username="${username}"]`);
  }

  /** The fingerprint of `username` shown for the hand-over (computed from the listed keys). */
  async handOverFingerprint(username: string): Promise<string> {
    const fingerprint = this.member(username).getByTestId('member-fingerprint');
    await fingerprint.waitFor({ timeout: 30_000 });
    return (await fingerprint.textContent()) ?? '';
  }

  async handOver(username: string): Promise<void> {
    const member = this.member(username);
    await member.getByLabel('Die Fingerabdrücke stimmen überein.').check();
    await member.getByRole('button', { name: 'Praxisschlüssel übergeben' }).click();
    await member.getByText('Hat den Praxisschlüssel').waitFor({ timeout: 30_000 });
  }

  /** The fingerprint listed for `username` (for the user's own entry: computed from the own keys). */
  async listedFingerprint(username: string): Promise<string> {
    const fingerprint = this.member(username).getByTestId('listed-fingerprint');
    await fingerprint.filter({ hasText: /\d/ }).waitFor();
    return (await fingerprint.textContent()) ?? '';
  }

  /** Removes `username` (the practice key is rotated) and waits until the list shows them removed. */
  async remove(username: string): Promise<void> {
    const member = this.member(username);
    await member.getByRole('button', { name: 'Entfernen …' }).click();
    await member.getByRole('button', { name: 'Jetzt entfernen' }).click();
    await member.getByText('Entfernt', { exact: true }).waitFor({ timeout: 30_000 });
  }

  /** Loads the member list again (a page reload would end the in-memory session). */
  async refresh(): Promise<void> {
    await this.page.getByRole('button', { name: 'Aktualisieren' }).click();
  }
}
