import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bytesToBase64url, bytesToHex } from '@tresor/crypto';
import {
  type AccountSession,
  HttpClient,
  MemoryDeviceKeyStore,
  acceptInvite,
  createPractice,
  login,
  recoverAccount,
} from '@tresor/sdk';
import { dumpRows } from '../testing/database-dump.js';
import { recordingFetch } from '../testing/recording-fetch.js';
import { type TestServer, createTestServer } from '../testing/test-server.js';
import { TestClock, totpCode } from '../testing/totp-codes.js';

/**
 * The proof of zero knowledge for the accounts flows: create practice → login with TOTP →
 * invite + key hand-over → second user logs in → password change → recovery, recording every
 * request body the server receives and every row it stores, then searching both for every
 * secret a client holds.
 */
describe('zero knowledge: what the server receives and stores', () => {
  const clock = new TestClock();
  let server: TestServer;
  let http: HttpClient;
  let bodies: string[];
  const secrets = new Map<string, string>();
  const sessions: AccountSession[] = [];

  const keep = (name: string, value: string) => secrets.set(name, value);
  const keepBytes = (name: string, bytes: Uint8Array) => {
    keep(`${name} (base64url)`, bytesToBase64url(bytes));
    keep(`${name} (hex)`, bytesToHex(bytes));
    keep(`${name} (base64)`, Buffer.from(bytes).toString('base64'));
  };
  const keepSession = (label: string, session: AccountSession) => {
    sessions.push(session);
    keepBytes(`${label} user key`, session.keys.userKey);
    keepBytes(`${label} X25519 private key`, session.keys.pairs.encryption.privateKey);
    keepBytes(`${label} Ed25519 private key`, session.keys.pairs.signing.privateKey);
    for (const [version, key] of session.keys.practiceKeys) keepBytes(`practice key v${version}`, key);
  };
  const totpSecrets = new Map<string, string>();
  const signIn = (
    username: string,
    password: string,
    devices: MemoryDeviceKeyStore,
    trusted?: ReadonlyMap<string, string>,
  ) =>
    login(http, {
      username,
      password,
      devices,
      deviceName: 'Praxis-PC',
      ...(trusted && { trustedGranters: trusted }),
      secondFactor: async (prompt) => {
        if (prompt.kind === 'totp_enrolment') {
          totpSecrets.set(username, prompt.secret);
          keep(`TOTP secret of ${username}`, prompt.secret);
        }
        clock.advance(30_000);
        return totpCode(totpSecrets.get(username) ?? '', clock.now());
      },
    });

  before(async () => {
    server = await createTestServer({}, { clock: clock.now });
    const recorder = recordingFetch();
    bodies = recorder.bodies;
    http = new HttpClient({ baseUrl: server.url, fetch: recorder.fetch });
  });
  after(() => server.close());

  it('runs the whole account lifecycle', async () => {
    const doctorDevices = new MemoryDeviceKeyStore();
    keep('doctor password', 'Dr. Sommer: Sonnenblume 1987!');
    const practice = await createPractice(http, {
      practiceName: 'Hausarztpraxis Sommer',
      username: 'j.sommer',
      password: 'Dr. Sommer: Sonnenblume 1987!',
      deviceName: 'Praxis-PC',
      devices: doctorDevices,
    });
    keep('doctor recovery code', practice.recoveryCode);
    keep('doctor recovery code (compact)', practice.recoveryCode.replaceAll('-', ''));
    const doctor = await signIn('j.sommer', 'Dr. Sommer: Sonnenblume 1987!', doctorDevices);
    keepSession('doctor', doctor);

    const invite = await doctor.createInvite({
      role: 'secondary',
      linkBase: 'https://praxis.invalid/einladung',
    });
    const nurseDevices = new MemoryDeviceKeyStore();
    keep('nurse password', 'MFA Lehmann – Kaffeetasse 42');
    const accepted = await acceptInvite(http, {
      link: invite.link,
      username: 'm.lehmann',
      password: 'MFA Lehmann – Kaffeetasse 42',
      deviceName: 'Empfang',
      devices: nurseDevices,
    });
    keep('nurse recovery code', accepted.recoveryCode);
    keep('nurse recovery code (compact)', accepted.recoveryCode.replaceAll('-', ''));
    await doctor.grantPracticeKey(accepted.userId, accepted.fingerprint);
    const nurse = await signIn(
      'm.lehmann',
      'MFA Lehmann – Kaffeetasse 42',
      nurseDevices,
      accepted.trustedGranters,
    );
    keepSession('nurse', nurse);
    assert.deepEqual(nurse.keys.practiceKeys.get(1), doctor.keys.practiceKeys.get(1));

    keep('nurse new password', 'neues Passwort der MFA 2026');
    await nurse.changePassword('MFA Lehmann – Kaffeetasse 42', 'neues Passwort der MFA 2026');
    keep('nurse recovered password', 'nach Wiederherstellung gesetzt');
    await recoverAccount(http, {
      username: 'm.lehmann',
      recoveryCode: accepted.recoveryCode,
      newPassword: 'nach Wiederherstellung gesetzt',
    });
    const recovered = await signIn(
      'm.lehmann',
      'nach Wiederherstellung gesetzt',
      nurseDevices,
      accepted.trustedGranters,
    );
    keepSession('nurse after recovery', recovered);
    assert.deepEqual(recovered.keys.userKey, nurse.keys.userKey);
  });

  it('found none of the client secrets in request bodies or stored rows', async () => {
    assert.ok(secrets.size >= 30, `tracking ${secrets.size} secrets`);
    const rows = await dumpRows(server.database);
    const places = { 'request bodies': bodies.join('\n'), 'stored rows': rows };
    assert.ok(bodies.length > 15 && rows.length > 5000, 'something was recorded');
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(places)) {
      for (const [name, value] of secrets) if (text.includes(value)) leaks.push(`${name} in ${where}`);
    }
    assert.deepEqual(leaks, []);
  });
});
