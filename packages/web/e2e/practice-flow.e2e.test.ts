import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AcceptInvitePage } from './pages/accept-invite-page.js';
import { AppNav } from './pages/app-nav.js';
import { AuditPage } from './pages/audit-page.js';
import { CreatePracticePage } from './pages/create-practice-page.js';
import { DevicesPage } from './pages/devices-page.js';
import { LoginPage } from './pages/login-page.js';
import {
  PatientDetailPage,
  PatientFormPage,
  PatientHistoryPage,
  type PatientInput,
  PatientListPage,
} from './pages/patient-pages.js';
import { UsersPage } from './pages/users-page.js';
import { Authenticator } from './support/authenticator.js';
import { launchChromium } from './support/browser.js';
import { collectPageErrors } from './support/page-errors.js';
import { startTresorServer, type TresorServer } from './support/tresor-server.js';

const PRIMARY = {
  practiceName: 'Praxis Dr. Sommer',
  username: 'anna.sommer',
  password: 'Sommerwiese im Juli 24',
};
const COLLEAGUE = { username: 'ben.kraus', password: 'Herbstlaub und Tee 7' };
const PATIENTS: readonly PatientInput[] = [
  { givenName: 'Josef', familyName: 'Maier', birthDate: '1961-04-12', city: 'Freiburg', kvnr: 'A123456780' },
  { givenName: 'Erika', familyName: 'Mustermann', birthDate: '1964-08-12', city: 'Köln' },
  { givenName: 'Lukas', familyName: 'Schneider', birthDate: '1990-02-01', city: 'Leipzig' },
];
const DOCUMENT_BYTES = 20 * 1024 * 1024;
const RESUMED_BYTES = 6 * 1024 * 1024;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * The practice as a person uses it, in real Chromium against the real built server: create the
 * practice, sign in with TOTP (a wrong code first, asked again on the same login), keep patients (search, edit with history, a
 * 20 MB document there and back), invite a colleague and hand over the key after comparing
 * fingerprints, approve a new device, erase a patient, verify the audit trail.
 */
describe('practice web app in Chromium', { timeout: 300_000 }, () => {
  let server: TresorServer;
  let browser: Browser;
  let workDir: string;
  const contexts: BrowserContext[] = [];
  const errors: string[][] = [];
  const authenticator = new Authenticator();
  const secrets = new Map<string, string>();
  let primary: Page;
  let colleague: Page;
  let laptop: Page;

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ locale: 'de-DE', acceptDownloads: true });
    contexts.push(context);
    errors.push(collectPageErrors(context));
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    return page;
  }

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'tresor-web-e2e-files-'));
    [server, browser] = await Promise.all([startTresorServer(), launchChromium()]);
    primary = await newPage();
  });

  after(async () => {
    for (const context of contexts) await context.close();
    await browser.close();
    await server.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('creates a practice and shows the recovery code once, with a confirmation step', async () => {
    const create = new CreatePracticePage(primary);
    await create.open(server.url);
    await create.create(PRIMARY);
    const code = await create.recoveryCode();
    assert.match(code, /^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
    assert.equal(await create.continueButton().isDisabled(), true, 'continue needs the confirmation');
    await create.confirmStored();
    await primary.waitForURL(/\/login\?user=anna\.sommer/);
  });

  it('refuses a wrong TOTP code at enrolment, asks again with the same QR code, then signs in', async () => {
    const login = new LoginPage(primary);
    await login.submitPassword(PRIMARY.username, PRIMARY.password);
    const firstSecret = await login.enrolmentSecret();
    await login.submitCode(Authenticator.wrongCode(firstSecret));
    await login.errorAlert().getByText('Der Code war falsch oder schon verwendet.').waitFor();
    // Asked again on the same login: the enrolment (secret and QR code) stays the same.
    const secret = await login.enrolmentSecret();
    assert.equal(secret, firstSecret);
    assert.match(secret, /^[A-Z2-7]+=*$/);
    assert.equal(await login.codeValue(), '', 'the code field starts empty again');
    secrets.set(PRIMARY.username, secret);
    await login.submitCode(await authenticator.freshCode(PRIMARY.username, secret));
    await new AppNav(primary).waitUntilSignedIn();
  });

  it('creates three patients; a save that fails (network down) keeps what was typed', async () => {
    const list = new PatientListPage(primary);
    const form = new PatientFormPage(primary);
    const detail = new PatientDetailPage(primary);
    for (const [index, patient] of PATIENTS.entries()) {
      await new AppNav(primary).go('Patienten');
      await list.openNew();
      await form.fill(patient);
      if (index === PATIENTS.length - 1) {
        await primary.context().setOffline(true);
        await form.submit('Patient anlegen');
        await form.errorAlert().getByText('Der Server ist nicht erreichbar').waitFor();
        assert.equal(await form.value('Nachname'), patient.familyName);
        assert.equal(await form.value('Ort'), patient.city);
        await primary.context().setOffline(false);
      }
      await form.submit('Patient anlegen');
      await detail.waitFor(`${patient.familyName}, ${patient.givenName}`);
    }
    await new AppNav(primary).go('Patienten');
    await list.waitForCount('3 Patienten');
  });

  it('finds a patient by name prefix and one by phonetic spelling (Meyer finds Maier)', async () => {
    const list = new PatientListPage(primary);
    await list.search('Muster');
    await list.waitForCount('1 Treffer');
    assert.deepEqual(await list.hits(), [{ name: 'Mustermann, Erika', match: 'Namensanfang' }]);
    await list.search('Meyer');
    await list.waitForCount('1 Treffer');
    assert.deepEqual(await list.hits(), [{ name: 'Maier, Josef', match: 'ähnlich klingend' }]);
  });

  it('edits master data and shows both versions in the history', async () => {
    await new PatientListPage(primary).open('Maier');
    const detail = new PatientDetailPage(primary);
    await detail.waitFor('Maier, Josef');
    await detail.edit();
    const form = new PatientFormPage(primary);
    await primary.getByLabel('Ort').fill('Freiburg im Breisgau');
    await form.submit('Speichern');
    await detail.waitFor('Maier, Josef');
    await primary.getByText('Freiburg im Breisgau').waitFor();
    await detail.history();
    const versions = await new PatientHistoryPage(primary).versions();
    assert.deepEqual(
      versions.map((v) => v.title),
      ['Version 2', 'Version 1 (Original)'],
    );
    assert.deepEqual(versions[0]?.changed, ['Anschrift']);
    await primary.getByRole('link', { name: 'Zurück zur Akte' }).click();
    await detail.waitFor('Maier, Josef');
  });

  it('adds a diagnosis, uploads a 20 MB document and downloads it byte-identical', async () => {
    const detail = new PatientDetailPage(primary);
    await detail.addDiagnosis('J06.9', 'Akute Infektion der oberen Atemwege');
    const original = randomBytes(DOCUMENT_BYTES);
    const path = join(workDir, 'befund-2026.pdf');
    await writeFile(path, original);
    await detail.upload(path, 'befund-2026.pdf');
    assert.match(await detail.uploadProgressText(), /^100 %/);
    const download = await detail.download('befund-2026.pdf');
    assert.equal(download.suggestedFilename(), 'befund-2026.pdf');
    const received = await readFile(await download.path());
    assert.equal(received.length, DOCUMENT_BYTES);
    assert.equal(sha256(received), sha256(original), 'downloaded bytes equal the uploaded ones');
  });

  it('resumes an interrupted upload with the same file, sending only the missing chunks', async () => {
    const detail = new PatientDetailPage(primary);
    const original = randomBytes(RESUMED_BYTES);
    const path = join(workDir, 'roentgen.bin');
    await writeFile(path, original);
    // The SDK sends 4 chunks per request: the first run (chunks 0–3) gets through, the network
    // fails for the rest, so the upload stops after 4 of 6 chunks.
    const contentRoute = '**/api/v1/documents/*/content*';
    const from = (url: string) => Number(new URL(url).searchParams.get('from') ?? '0');
    await primary.route(contentRoute, (route) =>
      route.request().method() !== 'PUT' || from(route.request().url()) < 4
        ? route.continue()
        : route.abort('failed'),
    );
    await detail.startUpload(path);
    await primary.getByRole('alert').getByText('Der Server ist nicht erreichbar').waitFor();
    await primary.unroute(contentRoute);
    assert.match(await detail.pendingUpload('roentgen.bin'), /4 von 6 Teilen übertragen/);

    const sent: number[] = [];
    primary.on('request', (request) => {
      if (request.method() === 'PUT' && /\/documents\/[^/]+\/content\?/.test(request.url()))
        sent.push(from(request.url()));
    });
    await detail.resumeUpload(path, 'roentgen.bin');
    assert.deepEqual(sent, [4], 'only the missing chunks 4 and 5 are sent again, in one request');
    const download = await detail.download('roentgen.bin');
    assert.equal(sha256(await readFile(await download.path())), sha256(original));
  });

  it('invites a colleague, compares fingerprints, hands over the key; the colleague sees the patients', async () => {
    const nav = new AppNav(primary);
    await nav.go('Benutzer');
    const users = new UsersPage(primary);
    const link = await users.createInvite();
    assert.match(link, /\/invite#v=1&p=/);

    colleague = await newPage();
    const invite = new AcceptInvitePage(colleague);
    await invite.open(link);
    await invite.register(COLLEAGUE.username, COLLEAGUE.password);
    const shownToColleague = await invite.ownFingerprint();
    assert.match(shownToColleague, /^(\d{5} ){5}\d{5}$/);

    await users.refresh();
    assert.equal(await users.handOverFingerprint(COLLEAGUE.username), shownToColleague);
    await users.handOver(COLLEAGUE.username);

    await invite.goToSignIn();
    const login = new LoginPage(colleague);
    await login.submitPassword(COLLEAGUE.username, COLLEAGUE.password);
    const secret = await login.enrolmentSecret();
    await login.submitCode(await authenticator.freshCode(COLLEAGUE.username, secret));
    await new AppNav(colleague).waitUntilSignedIn();
    const list = new PatientListPage(colleague);
    await list.waitForCount('3 Patienten');
    await list.search('Maier');
    await list.open('Maier');
    await new PatientDetailPage(colleague).waitFor('Maier, Josef');
    await colleague.getByText('Akute Infektion der oberen Atemwege').waitFor();
  });

  it('tells a new device at once that it waits for approval, before any code', async () => {
    laptop = await newPage();
    const login = new LoginPage(laptop);
    await login.open(server.url);
    await login.submitPassword(PRIMARY.username, PRIMARY.password);
    const fingerprint = await login.pendingFingerprint();
    await login.errorAlert().getByText('Dieses Gerät wartet auf Freigabe').waitFor();
    assert.equal(await laptop.getByLabel('Sechsstelliger Code').count(), 0, 'no code was asked');

    await new AppNav(primary).go('Geräte');
    await new DevicesPage(primary).approveByFingerprint(fingerprint);

    await login.retryAfterApproval();
    await login.waitForCodePrompt();
    await login.submitCode(
      await authenticator.freshCode(PRIMARY.username, secrets.get(PRIMARY.username) ?? ''),
    );
    await new AppNav(laptop).waitUntilSignedIn();
  });

  it('ends the other sessions; the ended one is told its session expired', async () => {
    await new AppNav(primary).go('Sitzungen');
    await primary.getByRole('button', { name: 'Alle anderen eigenen Sitzungen beenden' }).click();
    await primary.getByText('1 Sitzung(en) beendet.').waitFor();
    await new AppNav(laptop).go('Benutzer');
    await laptop.getByText('Ihre Sitzung ist abgelaufen oder wurde beendet.').waitFor();
    await laptop.getByRole('heading', { level: 1, name: 'Anmelden' }).waitFor();
  });

  it('locks on request: keys dropped, unlocking is a new sign-in', async () => {
    await new AppNav(colleague).lock();
    await colleague.getByRole('heading', { level: 1, name: 'Entsperren' }).waitFor();
    await colleague.getByText('Gesperrt: Die Schlüssel wurden aus dem Speicher entfernt.').waitFor();
    assert.equal(await colleague.getByLabel('Anmeldename').inputValue(), COLLEAGUE.username);
    assert.equal(await colleague.getByRole('navigation', { name: 'Hauptnavigation' }).count(), 0);
  });

  it('erases a patient under retention with a reason', async () => {
    await new AppNav(primary).go('Patienten');
    const list = new PatientListPage(primary);
    await list.search('Maier');
    await list.open('Maier');
    const detail = new PatientDetailPage(primary);
    await detail.waitFor('Maier, Josef');
    await detail.retentionNotice().waitFor();
    await detail.erase('Widerruf der Einwilligung, schriftlich am 3. Mai');
    await list.waitForCount('2 Patienten');
    await list.search('Maier');
    await list.waitForCount('0 Treffer');
  });

  it('lists the erasure in the erasure log, with the reason decrypted here', async () => {
    await new AppNav(primary).go('Löschungen');
    const rows = primary.getByTestId('erasure');
    await rows.first().waitFor();
    assert.deepEqual(
      await rows
        .first()
        .locator('td')
        .allTextContents()
        .then((cells) => cells.slice(1)),
      [
        'anna.sommer',
        'Wunsch des Patienten',
        'Widerruf der Einwilligung, schriftlich am 3. Mai',
        'lief noch',
      ],
    );
    await primary.getByText('Keine Akte hat ihre Aufbewahrungsfrist überschritten.').waitFor();
  });

  it('verifies the audit trail on the device', async () => {
    await new AppNav(primary).go('Protokoll');
    const audit = new AuditPage(primary);
    const actions = await audit.actions();
    assert.ok(actions.includes('device.approved'), `audit shows the approval: ${actions.join(', ')}`);
    assert.ok((await audit.actionLabels()).includes('Gerät freigegeben'), 'the action is shown in words');
    const { result, text } = await audit.verify();
    assert.equal(result, 'ok', text);
    assert.match(text, /Protokoll in Ordnung/);
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(errors.flat(), []);
  });
});
