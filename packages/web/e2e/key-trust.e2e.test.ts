import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AcceptInvitePage } from './pages/accept-invite-page.js';
import { AppNav } from './pages/app-nav.js';
import { CreatePracticePage } from './pages/create-practice-page.js';
import { LoginPage } from './pages/login-page.js';
import { PasskeysSection } from './pages/passkeys-section.js';
import { PatientDetailPage, PatientFormPage, PatientListPage } from './pages/patient-pages.js';
import { TrustBanner } from './pages/trust-banner.js';
import { UsersPage } from './pages/users-page.js';
import { Authenticator } from './support/authenticator.js';
import { launchChromium } from './support/browser.js';
import { collectPageErrors } from './support/page-errors.js';
import { startTresorServer, type TresorServer } from './support/tresor-server.js';
import { addVirtualAuthenticator } from './support/virtual-authenticator.js';

const ANNA = {
  practiceName: 'Gemeinschaftspraxis Lindenhof',
  username: 'anna.linde',
  password: 'Lindenblüten im Juni 3',
};
const BEN = { username: 'ben.hof', password: 'Nebel über dem Fluss 5' };
const CARL = { username: 'carl.ast', password: 'Kastanien im Herbst 8' };

/**
 * Practice keys between two primaries, in real Chromium against the real built server: a second
 * primary gets the key while signed in (no new sign-in), rotates it by removing a member, and the
 * first primary, who never confirmed the second, sees the new key locked behind a banner until
 * the fingerprints are compared; then the newer records are readable.
 */
describe('trusting a colleague’s practice key in Chromium', { timeout: 150_000 }, () => {
  let server: TresorServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[][] = [];
  const authenticator = new Authenticator();
  const secrets = new Map<string, string>();
  let anna: Page;
  let ben: Page;

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ locale: 'de-DE' });
    contexts.push(context);
    errors.push(collectPageErrors(context));
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    return page;
  }

  async function signIn(page: Page, user: { username: string; password: string }): Promise<void> {
    const login = new LoginPage(page);
    await login.submitPassword(user.username, user.password);
    let secret = secrets.get(user.username);
    if (secret === undefined) {
      secret = await login.enrolmentSecret();
      secrets.set(user.username, secret);
    } else {
      await login.waitForCodePrompt();
    }
    await login.submitCode(await authenticator.freshCode(user.username, secret));
  }

  /**
   * The entries of one of this browser's stores of IndexedDB `tresor`, sorted, each key without
   * its `<practice id>/` prefix and with ids as `<record>`.
   */
  async function stored(page: Page, store: 'key-versions' | 'record-versions'): Promise<[string, unknown][]> {
    const entries = await page.evaluate(
      (store) =>
        new Promise<[string, unknown][]>((resolve, reject) => {
          const opening = indexedDB.open('tresor');
          opening.onerror = () => {
            reject(new Error('IndexedDB cannot be opened'));
          };
          opening.onsuccess = () => {
            const db = opening.result;
            const objects = db.transaction(store).objectStore(store);
            const keys = objects.getAllKeys();
            const values = objects.getAll();
            values.onerror = () => {
              reject(new Error(`${store} cannot be read`));
            };
            values.onsuccess = () => {
              db.close();
              resolve(
                keys.result.map((key, i) => [
                  typeof key === 'string' ? key : JSON.stringify(key),
                  values.result[i],
                ]),
              );
            };
          };
        }),
      store,
    );
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
    return entries
      .map(([key, value]): [string, unknown] => [
        key.replace(/^[^/]+\//, '').replace(uuid, '<record>'),
        value,
      ])
      .sort(([a], [b]) => a.localeCompare(b));
  }

  async function signInWithPasskey(page: Page, user: { username: string; password: string }): Promise<void> {
    await page.getByRole('button', { name: 'Abmelden' }).click();
    const login = new LoginPage(page);
    await login.open(server.url, user.username);
    await login.submitPassword(user.username, user.password);
    await login.usePasskey();
    await new AppNav(page).waitUntilSignedIn();
  }

  async function createPatient(page: Page, givenName: string, familyName: string): Promise<void> {
    await new AppNav(page).go('Patienten');
    await new PatientListPage(page).openNew();
    const form = new PatientFormPage(page);
    await form.fill({ givenName, familyName, birthDate: '1970-01-01' });
    await form.submit('Patient anlegen');
    await new PatientDetailPage(page).waitFor(`${familyName}, ${givenName}`);
  }

  before(async () => {
    [server, browser] = await Promise.all([startTresorServer(), launchChromium()]);
    anna = await newPage();
    // Anna signs in again twice: with a passkey, so the test need not wait for fresh TOTP codes.
    await addVirtualAuthenticator(anna);
  });

  after(async () => {
    for (const context of contexts) await context.close();
    await browser.close();
    await server.close();
  });

  it('creates the practice, a passkey and a first patient', async () => {
    const create = new CreatePracticePage(anna);
    await create.open(server.url);
    await create.create(ANNA);
    await create.recoveryCode();
    await create.confirmStored();
    await anna.waitForURL(/\/login/);
    await signIn(anna, ANNA);
    await new AppNav(anna).waitUntilSignedIn();
    await new AppNav(anna).go('Einstellungen');
    await new PasskeysSection(anna).add('Laptop');
    await createPatient(anna, 'Josef', 'Maier');
  });

  it('hands the key to a second primary who is already signed in; it opens without a new sign-in', async () => {
    await new AppNav(anna).go('Benutzer');
    const users = new UsersPage(anna);
    const link = await users.createInvite('primary');
    ben = await newPage();
    const invite = new AcceptInvitePage(ben);
    await invite.open(link);
    await invite.register(BEN.username, BEN.password);
    const benOwn = await invite.ownFingerprint();
    await invite.goToSignIn();
    await signIn(ben, BEN);
    await ben.getByRole('heading', { level: 1, name: 'Warten auf den Praxisschlüssel' }).waitFor();

    await users.refresh();
    assert.equal(await users.handOverFingerprint(BEN.username), benOwn);
    await users.handOver(BEN.username);

    // The waiting screen notices the hand-over and re-reads the keys in the same session.
    await new AppNav(ben).waitUntilSignedIn();
    await new PatientListPage(ben).waitForCount('1 Patient');
  });

  it('the second primary removes a member, which rotates the practice key, and adds a patient', async () => {
    await new AppNav(anna).go('Benutzer');
    const link = await new UsersPage(anna).createInvite('secondary');
    const carl = await newPage();
    const invite = new AcceptInvitePage(carl);
    await invite.open(link);
    await invite.register(CARL.username, CARL.password);
    await invite.ownFingerprint();

    await new AppNav(ben).go('Benutzer');
    const users = new UsersPage(ben);
    await users.refresh();
    await users.remove(CARL.username);
    await createPatient(ben, 'Nina', 'Schulz');
  });

  it('the first primary sees the new key locked, compares fingerprints, trusts, and reads the new patient', async () => {
    await signInWithPasskey(anna, ANNA);
    const trust = new TrustBanner(anna);
    await trust.banner(BEN.username).waitFor({ timeout: 30_000 });
    // Until then the patient written under the new key is not readable here, and the list says so.
    await new PatientListPage(anna).waitForCount('1 Patient');
    await anna.getByText('1 Akte ist mit einem Praxisschlüssel verschlüsselt').waitFor();

    const shown = await trust.openComparison(BEN.username);
    await new AppNav(ben).go('Benutzer');
    const benOwnScreen = await new UsersPage(ben).listedFingerprint(BEN.username);
    assert.match(shown, /^(\d{5} ){5}\d{5}$/);
    assert.equal(shown, benOwnScreen, 'the dialog shows what the colleague sees as their own fingerprint');
    await trust.confirm();
    await trust.banner(BEN.username).waitFor({ state: 'detached' });

    await new AppNav(anna).go('Patienten');
    const list = new PatientListPage(anna);
    await list.waitForCount('2 Patienten');
    await list.search('Schulz');
    await list.open('Schulz');
    await new PatientDetailPage(anna).waitFor('Schulz, Nina');
  });

  it('remembers the trust on the server: the next sign-in shows no banner', async () => {
    await signInWithPasskey(anna, ANNA);
    await new PatientListPage(anna).waitForCount('2 Patienten');
    // The banner's container renders with the session itself whenever a grant is untrusted.
    assert.equal(await anna.getByTestId('untrusted-grants').count(), 0);
  });

  it('remembers on each device the newest key version and record versions it opened (numbers only)', async () => {
    // Anna opened version 2 when she trusted Ben; Ben made it by rotating.
    const values = async (page: Page, store: 'key-versions' | 'record-versions') =>
      (await stored(page, store)).map(([, value]) => value);
    assert.deepEqual(await values(anna, 'key-versions'), [2]);
    assert.deepEqual(await values(ben, 'key-versions'), [2]);
    // Anna created her first patient and opened Nina Schulz's record: version 1 of each; her
    // patient list held both patients, up to the feed position of the second.
    const records = await stored(anna, 'record-versions');
    assert.deepEqual(records.slice(0, 2), [
      ['<record>', 1],
      ['<record>', 1],
    ]);
    assert.deepEqual(
      records.slice(2).map(([key]) => key),
      ['directory/cursor', 'directory/patients'],
    );
    assert.ok(Number.isSafeInteger(records[2]![1]) && (records[2]![1] as number) >= 2, 'feed position');
    assert.equal(records[3]![1], 2, 'both patients');
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(errors.flat(), []);
  });
});
