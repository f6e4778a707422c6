import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AppNav } from './pages/app-nav.js';
import { CreatePracticePage } from './pages/create-practice-page.js';
import { LoginPage } from './pages/login-page.js';
import { RecoverAccountPage } from './pages/recover-account-page.js';
import { Authenticator } from './support/authenticator.js';
import { launchChromium } from './support/browser.js';
import { collectPageErrors } from './support/page-errors.js';
import { startTresorServer, type TresorServer } from './support/tresor-server.js';

const USER = {
  practiceName: 'Praxis an der Mühle',
  username: 'lena.fischer',
  password: 'Mühlrad im Frühling 3',
};
const NEW_PASSWORD = 'Neuer Morgen am Fluss 8';
const FAILED = 'Anmeldename oder Wiederherstellungscode ist falsch.';

/** The same code with its first symbol changed: well-formed, but not this account's code. */
function otherCode(code: string): string {
  return `${code.startsWith('0') ? '1' : '0'}${code.slice(1)}`;
}

/**
 * The forgotten password in real Chromium against the real built server: a practice is created
 * (its recovery code read from the screen) and used; in a second tab of the same browser, "forgot
 * password" refuses a wrong name and a wrong code with one and the same message, keeping the
 * input, then sets a new password with the right code. The first tab's session has ended, the
 * old password no longer works, and the new one signs in with the second factor as before.
 */
describe('account recovery in Chromium', { timeout: 180_000 }, () => {
  let server: TresorServer;
  let browser: Browser;
  let context: BrowserContext;
  let errors: string[];
  let first: Page;
  let second: Page;
  const authenticator = new Authenticator();
  let recoveryCode = '';
  let secret = '';

  before(async () => {
    [server, browser] = await Promise.all([startTresorServer(), launchChromium()]);
    context = await browser.newContext({ locale: 'de-DE' });
    errors = collectPageErrors(context);
    first = await context.newPage();
    first.setDefaultTimeout(20_000);
  });

  after(async () => {
    await context.close();
    await browser.close();
    await server.close();
  });

  it('creates a practice, reads the recovery code from the screen and signs in', async () => {
    const create = new CreatePracticePage(first);
    await create.open(server.url);
    await create.create(USER);
    recoveryCode = await create.recoveryCode();
    assert.match(recoveryCode, /^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
    await create.confirmStored();
    await first.waitForURL(/\/login\?user=lena\.fischer/);
    const login = new LoginPage(first);
    await login.submitPassword(USER.username, USER.password);
    secret = await login.enrolmentSecret();
    await login.submitCode(await authenticator.freshCode(USER.username, secret));
    await new AppNav(first).waitUntilSignedIn();
  });

  it('refuses a wrong login name and a wrong code with the same single message, keeping the input', async () => {
    second = await context.newPage();
    second.setDefaultTimeout(20_000);
    await new LoginPage(second).open(server.url);
    const recover = new RecoverAccountPage(second);
    await recover.openFromSignIn();

    const wrongName = { username: 'lena.fischer2', recoveryCode, newPassword: NEW_PASSWORD };
    await recover.fill(wrongName);
    await recover.submit();
    await recover.errorAlert().getByText(FAILED).waitFor({ timeout: 30_000 });
    const nameAlert = (await recover.errorAlert().allTextContents()).join('|');

    const wrongCode = {
      username: USER.username,
      recoveryCode: otherCode(recoveryCode),
      newPassword: NEW_PASSWORD,
    };
    await recover.fill(wrongCode);
    assert.equal(await recover.errorAlert().count(), 0, 'correcting name or code clears the failure');
    await recover.submit();
    await recover.errorAlert().getByText(FAILED).waitFor({ timeout: 30_000 });
    assert.equal(await recover.errorAlert().count(), 1, 'one error, not several');
    assert.equal(
      (await recover.errorAlert().allTextContents()).join('|'),
      nameAlert,
      'name and code look alike',
    );
    assert.deepEqual(await recover.values(), {
      username: wrongCode.username,
      recoveryCode: wrongCode.recoveryCode,
      newPassword: NEW_PASSWORD,
      repeated: NEW_PASSWORD,
    });
  });

  it('sets the new password with the right code (typed in lower case with spaces)', async () => {
    const recover = new RecoverAccountPage(second);
    await recover.fillCode(recoveryCode.toLowerCase().replaceAll('-', ' '));
    await recover.submit();
    const confirmation = await recover.confirmation();
    assert.match(confirmation, /Alle Ihre Sitzungen wurden beendet/);
    assert.match(confirmation, /mit dem neuen Passwort an/);
    assert.equal(
      await second.getByLabel('Wiederherstellungscode').count(),
      0,
      'the code is gone from the page',
    );
    await recover.goToSignIn();
    await second.waitForURL(/\/login\?user=lena\.fischer/);
    assert.equal(await second.getByLabel('Anmeldename').inputValue(), USER.username);
  });

  it('has ended the session of the first tab', async () => {
    await new AppNav(first).go('Geräte');
    await first.getByText('Ihre Sitzung ist abgelaufen oder wurde beendet.').waitFor();
    await first.getByRole('heading', { level: 1, name: 'Anmelden' }).waitFor();
  });

  it('refuses the old password and signs in with the new one and the TOTP code', async () => {
    const login = new LoginPage(second);
    await login.submitPassword(USER.username, USER.password);
    await login.errorAlert().getByText('Anmeldename oder Passwort ist falsch.').waitFor({ timeout: 30_000 });
    await login.submitPassword(USER.username, NEW_PASSWORD);
    await login.waitForCodePrompt();
    await login.submitCode(await authenticator.freshCode(USER.username, secret));
    await new AppNav(second).waitUntilSignedIn();
    await new AppNav(second).go('Patienten');
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(errors, []);
  });
});
