import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type AccountSession,
  HttpClient,
  MemoryDeviceKeyStore,
  type SecondFactorAnswer,
  type SecondFactorPrompt,
  createPractice,
  login,
} from '@tresor/sdk';
import type { passkeys } from '@tresor/sdk/contract';
import { rejectsWith } from '../../testing/assertions.js';
import { SoftAuthenticator } from '../../testing/soft-authenticator.js';
import { type TestServer, createTestServer } from '../../testing/test-server.js';
import { TestClock, totpCode } from '../../testing/totp-codes.js';

const PUBLIC_URL = 'https://praxis.example';
const PASSWORD = 'a password for the passkey test';

describe('passkeys instead of the TOTP code', () => {
  let server: TestServer;
  let http: HttpClient;
  let session: AccountSession;
  let totpSecret = '';
  const devices = new MemoryDeviceKeyStore();
  const clock = new TestClock();
  const authenticator = new SoftAuthenticator(PUBLIC_URL);

  /** Logs in; `answer` gets the prompt (with the passkey options, if offered). */
  const loginWith = (answer: (prompt: SecondFactorPrompt) => SecondFactorAnswer) =>
    login(http, {
      username: 'd.passkey',
      password: PASSWORD,
      devices,
      deviceName: 'Empfang',
      secondFactor: async (prompt) => answer(prompt),
    });
  const passkeyOptions = (prompt: SecondFactorPrompt): passkeys.PasskeyRequestOptions => {
    if (prompt.kind !== 'totp' || prompt.passkeyOptions === undefined) assert.fail('no passkey offered');
    return prompt.passkeyOptions;
  };

  before(async () => {
    server = await createTestServer({ TRESOR_PUBLIC_URL: PUBLIC_URL }, { clock: clock.now });
    http = new HttpClient({ baseUrl: server.url });
    await createPractice(http, {
      practiceName: 'Praxis Passkey',
      username: 'd.passkey',
      password: PASSWORD,
      deviceName: 'Empfang',
      devices,
    });
    session = await loginWith((prompt) => {
      if (prompt.kind !== 'totp_enrolment') assert.fail('expected the TOTP enrolment');
      totpSecret = prompt.secret;
      return totpCode(totpSecret, clock.now());
    });
  });
  after(() => server.close());

  it('refuses a registration without options and one made for another site', async () => {
    const phishing = new SoftAuthenticator('https://praxis.example.evil.test');
    await assert.rejects(
      session.addPasskey('Phishing', async (options) => phishing.create(options)),
      rejectsWith('passkey.registration_invalid'),
    );
    const response = await fetch(`${server.url}/api/v1/passkeys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'No options', attestation: authenticator.create(sampleOptions()) }),
    });
    assert.equal(response.status, 400);
    assert.equal(
      ((await response.json()) as { error: { code: string } }).error.code,
      'passkey.registration_expired',
    );
    assert.deepEqual((await session.passkeys()).passkeys, []);
  });

  it('registers a passkey and logs in with it instead of the code', async () => {
    const added = await session.addPasskey('Laptop', async (options) => {
      assert.equal(options.rp.id, 'praxis.example');
      return authenticator.create(options);
    });
    assert.equal(added.name, 'Laptop');
    assert.equal(added.id, authenticator.credentialId);

    const next = await loginWith((prompt) => ({ passkey: authenticator.get(passkeyOptions(prompt)) }));
    assert.equal(next.info.user.username, 'd.passkey');
    const [listed] = (await next.passkeys()).passkeys;
    assert.notEqual(listed?.lastUsedAt, null);
  });

  it('still accepts the TOTP code', async () => {
    clock.advance(30_000);
    await loginWith(() => totpCode(totpSecret, clock.now()));
  });

  it('refuses an assertion for another site, a stale counter and an unknown passkey', async () => {
    const phishing = new SoftAuthenticator('https://praxis.example.evil.test');
    await assert.rejects(
      loginWith((prompt) => ({ passkey: phishing.get(passkeyOptions(prompt)) })),
      rejectsWith('auth.passkey_invalid'),
    );
    await assert.rejects(
      loginWith((prompt) => ({ passkey: authenticator.get(passkeyOptions(prompt), 1) })),
      rejectsWith('auth.passkey_invalid'),
    );
    const stranger = new SoftAuthenticator(PUBLIC_URL);
    await assert.rejects(
      loginWith((prompt) => ({ passkey: stranger.get(passkeyOptions(prompt)) })),
      rejectsWith('auth.passkey_invalid'),
    );
  });

  it('removes a passkey: it is no longer offered, and audits both changes', async () => {
    await assert.rejects(session.removePasskey('bm90LWEtcGFzc2tleQ'), rejectsWith('passkey.not_found'));
    await session.removePasskey(authenticator.credentialId);
    clock.advance(30_000);
    await loginWith((prompt) => {
      assert.equal(prompt.kind === 'totp' ? prompt.passkeyOptions : 'enrolment', undefined);
      return totpCode(totpSecret, clock.now());
    });
    const page = await fetch(`${server.url}/api/v1/audit/entries?after=0&limit=1000`, {
      headers: { authorization: `Bearer ${session.token}` },
    });
    const { entries } = (await page.json()) as { entries: { action: string }[] };
    const actions = entries.map((entry) => entry.action);
    assert.equal((await session.verifyAuditTrail()).ok, true);
    assert.ok(actions.includes('auth.passkey_added'));
    assert.ok(actions.includes('auth.passkey_removed'));
  });
});

function sampleOptions(): passkeys.PasskeyCreationOptions {
  return {
    challenge: 'bm90LXRoZS1zZXJ2ZXJzLWNoYWxsZW5nZQ',
    rp: { id: 'praxis.example', name: 'Tresor' },
    user: { id: 'dXNlcg', name: 'd.passkey', displayName: 'd.passkey' },
    pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
  };
}
