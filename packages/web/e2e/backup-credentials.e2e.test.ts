import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AppNav } from './pages/app-nav.js';
import { BackupPage } from './pages/backup-page.js';
import { CreatePracticePage } from './pages/create-practice-page.js';
import { LoginPage } from './pages/login-page.js';
import { Authenticator } from './support/authenticator.js';
import { launchChromium } from './support/browser.js';
import { collectPageErrors } from './support/page-errors.js';
import { startTresorServer, type TresorServer } from './support/tresor-server.js';

const USER = {
  practiceName: 'Praxis am Hafen',
  username: 'jonas.weber',
  password: 'Leuchtturm bei Nebel 5',
};
const CREDENTIAL = 'Praxis-PC Anmeldung';

/**
 * Cloud-backup credentials in real Chromium against the real built server: a primary user creates
 * an agent token on the Datensicherung screen, the token works against the backup API, and stops
 * working once revoked in the same screen.
 */
describe('backup credentials in Chromium', { timeout: 120_000 }, () => {
  let server: TresorServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let token = '';

  const listObjects = (bearer: string) =>
    fetch(`${server.url}/api/v1/backup/objects`, { headers: { authorization: `Bearer ${bearer}` } });

  before(async () => {
    [server, browser] = await Promise.all([startTresorServer(), launchChromium()]);
    context = await browser.newContext({ locale: 'de-DE' });
    errors = collectPageErrors(context);
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  });

  after(async () => {
    await context.close();
    await browser.close();
    await server.close();
  });

  it('creates a practice and signs in', async () => {
    const create = new CreatePracticePage(page);
    await create.open(server.url);
    await create.create(USER);
    await create.recoveryCode();
    await create.confirmStored();
    await page.waitForURL(/\/login\?user=jonas\.weber/);
    const login = new LoginPage(page);
    await login.submitPassword(USER.username, USER.password);
    const secret = await login.enrolmentSecret();
    await login.submitCode(await new Authenticator().freshCode(USER.username, secret));
    await new AppNav(page).waitUntilSignedIn();
  });

  it('creates an agent token, shown once with its command line; it works against the API', async () => {
    await new AppNav(page).go('Datensicherung');
    const backup = new BackupPage(page);
    assert.match(await backup.usageText(), /30 Tage/);
    const shown = await backup.create(CREDENTIAL, 'Sicherungsprogramm');
    token = shown.token;
    assert.match(token, /^tbk_/);
    assert.match(shown.warning, /nur jetzt angezeigt/);
    assert.equal(
      shown.command,
      `TRESOR_BACKUP_CLOUD_URL=${server.url} TRESOR_BACKUP_CLOUD_TOKEN=${token} tresor-backup replicate`,
    );
    await backup.waitForStatus(CREDENTIAL, 'active');

    const response = await listObjects(token);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { objects: [] });

    await backup.dismissToken();
    assert.equal(await page.getByTestId('backup-token-value').count(), 0, 'the token is gone from the page');
  });

  it('revokes the token after confirmation; the API refuses it from then on', async () => {
    await new BackupPage(page).revoke(CREDENTIAL);
    const response = await listObjects(token);
    assert.equal(response.status, 401);
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(errors, []);
  });
});
