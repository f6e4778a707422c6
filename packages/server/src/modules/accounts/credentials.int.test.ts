import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as opaque from '@serenity-kit/opaque';
import {
  type AccountSession,
  HttpClient,
  MemoryDeviceKeyStore,
  createPractice,
  login,
  recoverAccount,
} from '@tresor/sdk';
import { rejectsWith } from '../../testing/assertions.js';
import { recordingFetch } from '../../testing/recording-fetch.js';
import { type TestServer, createTestServer } from '../../testing/test-server.js';
import { TestClock, totpCode } from '../../testing/totp-codes.js';

const FIRST_PASSWORD = 'first password for Dr. Roth';
const SECOND_PASSWORD = 'second password, changed';
const THIRD_PASSWORD = 'third password after recovery';
const WRONG_PASSWORD = 'not the current password';

/** Syntactically valid but useless: the refusals must come before these are looked at. */
const dummyCredentials = {
  registrationRecord: 'AAAA',
  userKeyByPassword: {
    v: 1,
    alg: 'A256GCM',
    kid: 'k',
    nonce: Buffer.alloc(12).toString('base64url'),
    ct: Buffer.alloc(48).toString('base64url'),
  },
};

async function post(url: string, token: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { error?: { code: string } },
  };
}

describe('password change, recovery, two-factor setting, alarms', () => {
  let server: TestServer;
  let http: HttpClient;
  let recorded: string[];
  const devices = new MemoryDeviceKeyStore();
  const clock = new TestClock();
  let totpSecret = '';
  let recoveryCode = '';
  let primary: AccountSession;
  const nextCode = () => {
    clock.advance(30_000);
    return totpCode(totpSecret, clock.now());
  };
  const signIn = (password: string, username = 'k.roth') =>
    login(http, {
      username,
      password,
      devices,
      deviceName: 'Sprechzimmer',
      secondFactor: async (prompt) => {
        if (prompt.kind === 'totp_enrolment') totpSecret = prompt.secret;
        return nextCode();
      },
    });

  before(async () => {
    server = await createTestServer({}, { clock: clock.now });
    const recorder = recordingFetch();
    recorded = recorder.bodies;
    http = new HttpClient({ baseUrl: server.url, fetch: recorder.fetch });
    const created = await createPractice(http, {
      practiceName: 'Praxis Roth',
      username: 'k.roth',
      password: FIRST_PASSWORD,
      deviceName: 'Sprechzimmer',
      devices,
    });
    recoveryCode = created.recoveryCode;
    primary = await signIn(FIRST_PASSWORD);
  });
  after(() => server.close());

  it('refuses a password change without proof of the current password', async () => {
    const res = await post(`${server.url}/api/v1/auth/password`, primary.token, dummyCredentials);
    assert.equal(res.status, 400);
    assert.equal(res.body.error?.code, 'request.invalid');
    await signIn(FIRST_PASSWORD);
  });

  it('refuses a wrong current password: nothing changes, the failure is audited', async () => {
    const other = await signIn(FIRST_PASSWORD);
    await assert.rejects(
      primary.changePassword(WRONG_PASSWORD, SECOND_PASSWORD),
      rejectsWith('auth.login_failed'),
    );
    await other.devices();
    await assert.rejects(signIn(SECOND_PASSWORD), rejectsWith('auth.login_failed'));
    await signIn(FIRST_PASSWORD);
    const { entries } = await primary.auditEntries({ limit: 500 });
    assert.ok(
      entries.some(
        (e) =>
          e.action === 'auth.login_failed' &&
          e.actorUserId === primary.userId &&
          e.deviceId === primary.info.deviceId,
      ),
      "the wrong current password is audited as a failed login from the session's device",
    );
  });

  it('refuses a proof of the current password made for another session', async () => {
    await opaque.ready;
    const other = await signIn(FIRST_PASSWORD);
    const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password: FIRST_PASSWORD });
    const started = await post(`${server.url}/api/v1/auth/password/start`, other.token, {
      startLoginRequest,
    });
    assert.equal(started.status, 200);
    const finished = opaque.client.finishLogin({
      clientLoginState,
      loginResponse: String(started.body.loginResponse),
      password: FIRST_PASSWORD,
    });
    assert.ok(finished, 'the password is right');
    const res = await post(`${server.url}/api/v1/auth/password`, primary.token, {
      loginId: started.body.loginId,
      finishLoginRequest: finished.finishLoginRequest,
      ...dummyCredentials,
    });
    assert.equal(res.status, 401);
    assert.equal(res.body.error?.code, 'auth.login_expired');
    await other.devices();
    await signIn(FIRST_PASSWORD);
  });

  it('changes the password, keeps the keys, and ends other sessions', async () => {
    const other = await signIn(FIRST_PASSWORD);
    const practiceKey = primary.keys.practiceKeys.get(1);
    const { revokedSessions } = await primary.changePassword(FIRST_PASSWORD, SECOND_PASSWORD);
    assert.ok(revokedSessions >= 1);
    await assert.rejects(other.devices(), rejectsWith('auth.unauthenticated'));
    await assert.rejects(signIn(FIRST_PASSWORD), rejectsWith('auth.login_failed'));
    const again = await signIn(SECOND_PASSWORD);
    assert.deepEqual(again.keys.practiceKeys.get(1), practiceKey);
    assert.deepEqual(again.keys.userKey, primary.keys.userKey);
    primary = again;
  });

  it('recovers with the recovery code: new password, same keys, all sessions ended', async () => {
    await assert.rejects(
      recoverAccount(http, {
        username: 'k.roth',
        recoveryCode: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH',
        newPassword: 'x',
      }),
      rejectsWith('recovery.failed'),
    );
    await recoverAccount(http, {
      username: 'k.roth',
      recoveryCode: recoveryCode.toLowerCase(),
      newPassword: THIRD_PASSWORD,
    });
    await assert.rejects(primary.devices(), rejectsWith('auth.unauthenticated'));
    await assert.rejects(signIn(SECOND_PASSWORD), rejectsWith('auth.login_failed'));
    const recovered = await signIn(THIRD_PASSWORD);
    assert.deepEqual(recovered.keys.userKey, primary.keys.userKey);
    primary = recovered;
  });

  it('refuses a recovery proof signed with a key that is not the recovery key', async () => {
    const start = await fetch(`${server.url}/api/v1/auth/recovery/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'k.roth' }),
    });
    const { recoveryId } = (await start.json()) as { recoveryId: string };
    const res = await fetch(`${server.url}/api/v1/auth/recovery/finish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        recoveryId,
        signature: Buffer.alloc(64, 7).toString('base64url'),
        registrationRecord: 'AAAA',
        userKeyByPassword: {
          v: 1,
          alg: 'A256GCM',
          kid: 'k',
          nonce: Buffer.alloc(12).toString('base64url'),
          ct: Buffer.alloc(48).toString('base64url'),
        },
      }),
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'recovery.failed');
    await signIn(THIRD_PASSWORD);
  });

  it('answers recovery for unknown users like for known ones (no enumeration)', async () => {
    const ask = async (username: string) => {
      const res = await fetch(`${server.url}/api/v1/auth/recovery/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username }),
      });
      const { recoveryId, challenge, ...answer } = (await res.json()) as {
        recoveryId: string;
        challenge: string;
        practiceId: string;
        userId: string;
        userKeyByRecovery: Record<string, unknown>;
      };
      return { status: res.status, recoveryId, challenge, answer };
    };
    /** Everything but the values: keys, lengths, UUID version, envelope header. */
    const shape = ({ status, recoveryId, challenge, answer }: Awaited<ReturnType<typeof ask>>) => ({
      status,
      recoveryId: recoveryId.length,
      challenge: challenge.length,
      keys: Object.keys(answer),
      ids: [answer.practiceId, answer.userId].map((id) =>
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id),
      ),
      envelope: Object.entries(answer.userKeyByRecovery).map(([key, value]) =>
        key === 'nonce' || key === 'ct' ? [key, String(value).length] : [key, value],
      ),
    });
    const [known, unknown] = [await ask('k.roth'), await ask('nobody.at.all')];
    assert.deepEqual(shape(unknown), shape(known));
    assert.deepEqual(shape(known).ids, [true, true]);
    // A second call gives the same answer, as for a real user; a name's spelling does not matter.
    const [knownAgain, unknownAgain] = [await ask('k.roth'), await ask('Nobody.At.All')];
    assert.deepEqual(knownAgain.answer, known.answer);
    assert.deepEqual(unknownAgain.answer, unknown.answer);
    assert.notEqual(unknownAgain.challenge, unknown.challenge);
    assert.notDeepEqual((await ask('nobody.else')).answer, unknown.answer);
  });

  it('turns two-factor login off only with explicit confirmation, and audits it', async () => {
    const res = await fetch(`${server.url}/api/v1/practice/settings/two-factor`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${primary.token}` },
      body: JSON.stringify({ required: false }),
    });
    assert.equal(res.status, 400);
    assert.equal(
      ((await res.json()) as { error: { code: string } }).error.code,
      'settings.confirmation_required',
    );
    assert.deepEqual(await primary.setTwoFactorRequired(false), { required: false });
    assert.deepEqual(await primary.setTwoFactorRequired(true), { required: true });
    const audit = await fetch(`${server.url}/api/v1/audit/entries?limit=500`, {
      headers: { authorization: `Bearer ${primary.token}` },
    });
    const actions = ((await audit.json()) as { entries: { action: string }[] }).entries.map((e) => e.action);
    for (const action of [
      'practice.two_factor_disabled',
      'practice.two_factor_enabled',
      'auth.password_changed',
      'auth.recovered',
      'auth.recovery_failed',
    ]) {
      assert.ok(actions.includes(action), `missing ${action}`);
    }
  });

  it('raises an alarm for primary users after 5 failed logins', async () => {
    for (let i = 0; i < 5; i++) {
      await assert.rejects(signIn(`wrong ${i}`), rejectsWith('auth.login_failed'));
    }
    const { alarms } = await primary.alarms();
    assert.equal(alarms.length, 1);
    const [alarm] = alarms;
    assert.equal(alarm?.kind, 'auth.repeated_failures');
    assert.match(alarm.detail, /5 failed login attempts for k\.roth/);
  });

  it('never sends a password or the recovery code to the server', () => {
    const bodies = recorded.join('\n');
    for (const secret of [
      FIRST_PASSWORD,
      SECOND_PASSWORD,
      THIRD_PASSWORD,
      WRONG_PASSWORD,
      recoveryCode,
      recoveryCode.replaceAll('-', ''),
    ]) {
      assert.ok(!bodies.includes(secret), `leaked: ${secret}`);
    }
  });
});

describe('wrong current passwords count like failed logins', () => {
  let server: TestServer;
  let http: HttpClient;
  const devices = new MemoryDeviceKeyStore();
  const clock = new TestClock();
  let totpSecret = '';
  let session: AccountSession;

  before(async () => {
    server = await createTestServer({}, { clock: clock.now });
    http = new HttpClient({ baseUrl: server.url });
    await createPractice(http, {
      practiceName: 'Praxis Wolf',
      username: 'a.wolf',
      password: FIRST_PASSWORD,
      deviceName: 'Empfang',
      devices,
    });
    session = await login(http, {
      username: 'a.wolf',
      password: FIRST_PASSWORD,
      devices,
      deviceName: 'Empfang',
      secondFactor: async (prompt) => {
        if (prompt.kind === 'totp_enrolment') totpSecret = prompt.secret;
        clock.advance(30_000);
        return totpCode(totpSecret, clock.now());
      },
    });
  });
  after(() => server.close());

  it('raises the repeated-failures alarm after 5 wrong current passwords', async () => {
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        session.changePassword(`${WRONG_PASSWORD} ${i}`, SECOND_PASSWORD),
        rejectsWith('auth.login_failed'),
      );
    }
    const { alarms } = await session.alarms();
    assert.equal(alarms.length, 1);
    const [alarm] = alarms;
    assert.equal(alarm?.kind, 'auth.repeated_failures');
    assert.match(alarm.detail, /5 failed login attempts for a\.wolf/);
  });
});
