import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AppNav } from './pages/app-nav.js';
import { CreatePracticePage } from './pages/create-practice-page.js';
import { LoginPage } from './pages/login-page.js';
import { PasskeysSection } from './pages/passkeys-section.js';
import { Authenticator } from './support/authenticator.js';
import { launchChromium } from './support/browser.js';
import { collectPageErrors } from './support/page-errors.js';
import { startTresorServer, type TresorServer } from './support/tresor-server.js';
import { addVirtualAuthenticator } from './support/virtual-authenticator.js';

const USER = {
  practiceName: 'Praxis am Markt',
  username: 'clara.vogel',
  password: 'Morgentau über Wiesen 9',
};
const PASSKEY_NAME = 'Praxis-PC Empfang';

/**
 * Passkeys in real Chromium with a virtual platform authenticator (DevTools protocol), against the
 * real built server whose relying party is the address the browser opens: set one up in the
 * settings, sign in with password and passkey instead of the code, remove it again.
 */
describe('passkeys in Chromium', { timeout: 120_000 }, () => {
  let server: TresorServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let authenticator: Awaited<ReturnType<typeof addVirtualAuthenticator>>;

  before(async () => {
    [server, browser] = await Promise.all([startTresorServer(), launchChromium()]);
    context = await browser.newContext({ locale: 'de-DE' });
    errors = collectPageErrors(context);
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    authenticator = await addVirtualAuthenticator(page);
  });

  after(async () => {
    await context.close();
    await browser.close();
    await server.close();
  });

  async function signInWithCode(): Promise<void> {
    const login = new LoginPage(page);
    await login.submitPassword(USER.username, USER.password);
    const secret = await login.enrolmentSecret();
    await login.submitCode(await new Authenticator().freshCode(USER.username, secret));
    await new AppNav(page).waitUntilSignedIn();
  }

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.getByRole('navigation', { name: 'Hauptnavigation' }).waitFor({ state: 'detached' });
  }

  it('creates a practice and signs in with the TOTP code', async () => {
    const create = new CreatePracticePage(page);
    await create.open(server.url);
    await create.create(USER);
    await create.recoveryCode();
    await create.confirmStored();
    await page.waitForURL(/\/login\?user=clara\.vogel/);
    await signInWithCode();
  });

  it('sets up a passkey in the settings', async () => {
    await new AppNav(page).go('Einstellungen');
    const passkeys = new PasskeysSection(page);
    await passkeys.waitForNone();
    await passkeys.add(PASSKEY_NAME);
    const list = await passkeys.list();
    assert.deepEqual(
      list.map((passkey) => passkey.name),
      [PASSKEY_NAME],
    );
    assert.match(list.map((passkey) => passkey.detail).join(), /noch nicht verwendet/);
    assert.equal(await authenticator.credentialCount(), 1, 'the authenticator holds the new credential');
  });

  it('signs in with password and passkey, without a code', async () => {
    await signOut();
    const login = new LoginPage(page);
    await login.open(server.url, USER.username);
    await login.submitPassword(USER.username, USER.password);
    await login.waitForCodePrompt();
    await login.usePasskey();
    await new AppNav(page).waitUntilSignedIn();
    await new AppNav(page).go('Einstellungen');
    const list = await new PasskeysSection(page).list();
    assert.match(list[0]?.detail ?? '', /zuletzt verwendet am/);
  });

  it('removes the passkey; the next sign-in no longer offers it', async () => {
    const passkeys = new PasskeysSection(page);
    await passkeys.remove(PASSKEY_NAME);
    await passkeys.waitForNone();
    await signOut();
    const login = new LoginPage(page);
    await login.open(server.url, USER.username);
    await login.submitPassword(USER.username, USER.password);
    await login.waitForCodePrompt();
    assert.equal(await page.getByRole('button', { name: 'Passkey verwenden' }).count(), 0);
    await page.getByRole('button', { name: 'Abbrechen' }).click();
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(errors, []);
  });
});
