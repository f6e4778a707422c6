import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import {
  type AccountSession,
  HttpClient,
  MemoryDeviceKeyStore,
  type SecondFactorPrompt,
  createPractice,
  login,
} from '@tresor/sdk';
import { bytesToBase64url, bytesToHex } from '@tresor/crypto';
import { sql } from 'kysely';
import { rejectsWith } from '../../testing/assertions.js';
import { dumpRows } from '../../testing/database-dump.js';
import { recordingFetch } from '../../testing/recording-fetch.js';
import { type TestServer, createTestServer } from '../../testing/test-server.js';
import { TestClock, totpCode } from '../../testing/totp-codes.js';

const PASSWORD = 'correct horse battery staple 42';

describe('accounts: practice creation, login with TOTP, devices, sessions', () => {
  let server: TestServer;
  let http: HttpClient;
  let recorded: string[];
  const devices = new MemoryDeviceKeyStore();
  let totpSecret = '';
  let created: Awaited<ReturnType<typeof createPractice>>;
  let first: AccountSession;
  const clock = new TestClock();
  /** A code of a fresh time step for every login, as a TOTP code cannot be used twice. */
  const nextCode = () => {
    clock.advance(30_000);
    return totpCode(totpSecret, clock.now());
  };

  before(async () => {
    server = await createTestServer({}, { clock: clock.now });
    const recorder = recordingFetch();
    recorded = recorder.bodies;
    http = new HttpClient({ baseUrl: server.url, fetch: recorder.fetch });
    created = await createPractice(http, {
      practiceName: 'Praxis Dr. Weber',
      username: 'a.weber',
      password: PASSWORD,
      deviceName: 'Empfang',
      devices,
    });
  });
  after(() => server.close());

  it('enrols TOTP at the first login and unlocks the practice key', async () => {
    first = await login(http, {
      username: 'a.weber',
      password: PASSWORD,
      devices,
      deviceName: 'Empfang',
      secondFactor: async (prompt) => {
        if (prompt.kind !== 'totp_enrolment') assert.fail(`expected a TOTP enrolment, got ${prompt.kind}`);
        assert.match(prompt.uri, /^otpauth:\/\/totp\/Tresor:a\.weber\?/);
        totpSecret = prompt.secret;
        return nextCode();
      },
    });
    assert.equal(first.practiceId, created.practiceId);
    assert.equal(first.info.user.role, 'primary');
    assert.equal(first.keys.practiceKeys.size, 1);
    assert.equal(first.keys.practiceKeys.get(1)?.length, 32);
  });

  it('asks for the TOTP code at later logins and refuses a wrong or reused code', async () => {
    await assert.rejects(
      login(http, {
        username: 'a.weber',
        password: PASSWORD,
        devices,
        deviceName: 'x',
        secondFactor: async () => '000000',
      }),
      rejectsWith('auth.totp_invalid'),
    );
    const code = nextCode();
    const session = await login(http, {
      username: 'a.weber',
      password: PASSWORD,
      devices,
      deviceName: 'x',
      secondFactor: async (prompt) => {
        assert.equal(prompt.kind, 'totp');
        return code;
      },
    });
    assert.equal(session.keys.practiceKeys.size, 1);
    await assert.rejects(
      login(http, {
        username: 'a.weber',
        password: PASSWORD,
        devices,
        deviceName: 'x',
        secondFactor: async () => code,
      }),
      rejectsWith('auth.totp_invalid'),
    );
  });

  it('asks again on the same login after a wrong code, with the same enrolment secret', async () => {
    const prompts: SecondFactorPrompt[] = [];
    const session = await login(http, {
      username: 'a.weber',
      password: PASSWORD,
      devices,
      deviceName: 'x',
      secondFactor: async (prompt) => {
        prompts.push(prompt);
        return prompts.length === 1 ? '000000' : nextCode();
      },
    });
    assert.equal(session.info.user.username, 'a.weber');
    assert.deepEqual(
      prompts.map((p) => [p.kind, p.deviceStatus, p.retry?.code]),
      [
        ['totp', 'approved', undefined],
        ['totp', 'approved', 'auth.totp_invalid'],
      ],
    );

    const newcomerDevices = new MemoryDeviceKeyStore();
    await createPractice(http, {
      practiceName: 'Praxis Neu',
      username: 'n.neu',
      password: PASSWORD,
      deviceName: 'Empfang',
      devices: newcomerDevices,
    });
    const secrets: string[] = [];
    await login(http, {
      username: 'n.neu',
      password: PASSWORD,
      devices: newcomerDevices,
      deviceName: 'Empfang',
      secondFactor: async (prompt) => {
        if (prompt.kind !== 'totp_enrolment') assert.fail('expected the enrolment');
        secrets.push(prompt.secret);
        return secrets.length === 1 ? '000000' : totpCode(prompt.secret, clock.now());
      },
    });
    assert.equal(secrets.length, 2);
    assert.equal(secrets[0], secrets[1]);
  });

  it('tells a new device at once that it waits for approval, without asking for a code', async () => {
    let asked = false;
    await assert.rejects(
      login(http, {
        username: 'a.weber',
        password: PASSWORD,
        devices: new MemoryDeviceKeyStore(),
        deviceName: 'Tablet',
        secondFactor: async () => {
          asked = true;
          return nextCode();
        },
      }),
      rejectsWith('auth.device_pending'),
    );
    assert.equal(asked, false);
  });

  it('lets only one of two concurrent logins use the same TOTP code', async () => {
    const code = nextCode();
    const attempt = () =>
      login(http, {
        username: 'a.weber',
        password: PASSWORD,
        devices,
        deviceName: 'x',
        secondFactor: async () => code,
      });
    const outcomes = await Promise.allSettled([attempt(), attempt(), attempt()]);
    const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [(outcome.reason as { code?: string }).code] : [],
    );
    assert.equal(succeeded.length, 1);
    assert.deepEqual(refused, ['auth.totp_invalid', 'auth.totp_invalid']);
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    await assert.rejects(
      login(http, {
        username: 'a.weber',
        password: 'wrong',
        devices,
        deviceName: 'x',
        secondFactor: async () => nextCode(),
      }),
      rejectsWith('auth.login_failed'),
    );
    await assert.rejects(
      login(http, {
        username: 'nobody.here',
        password: 'wrong',
        devices,
        deviceName: 'x',
        secondFactor: async () => '123456',
      }),
      rejectsWith('auth.login_failed'),
    );
  });

  it('keeps a new device pending until an approved device approves it', async () => {
    const laptop = new MemoryDeviceKeyStore();
    const attempt = () =>
      login(http, {
        username: 'a.weber',
        password: PASSWORD,
        devices: laptop,
        deviceName: 'Laptop',
        secondFactor: async () => nextCode(),
      });
    await assert.rejects(attempt(), rejectsWith('auth.device_pending'));
    const pending = (await first.devices()).devices.find((d) => d.name === 'Laptop');
    assert.equal(pending?.status, 'pending');
    await assert.rejects(attempt(), rejectsWith('auth.device_pending'));
    await first.approveDevice(pending.id);
    const onLaptop = await attempt();
    assert.equal(onLaptop.info.deviceId, pending.id);

    await first.revokeDevice(pending.id);
    await assert.rejects(onLaptop.devices(), rejectsWith('auth.unauthenticated'));
    await assert.rejects(attempt(), rejectsWith('auth.device_revoked'));
  });

  it('lists and revokes sessions; a revoked token is refused at once', async () => {
    const other = await login(http, {
      username: 'a.weber',
      password: PASSWORD,
      devices,
      deviceName: 'x',
      secondFactor: async () => nextCode(),
    });
    const { sessions } = await first.sessions();
    assert.ok(sessions.some((s) => s.id === other.info.sessionId));
    assert.equal(sessions.find((s) => s.current)?.id, first.info.sessionId);
    await first.revokeSession(other.info.sessionId);
    await assert.rejects(other.sessions(), rejectsWith('auth.unauthenticated'));
    const third = await login(http, {
      username: 'a.weber',
      password: PASSWORD,
      devices,
      deviceName: 'x',
      secondFactor: async () => nextCode(),
    });
    const { revoked } = await first.revokeOtherSessions();
    assert.ok(revoked >= 1);
    await assert.rejects(third.devices(), rejectsWith('auth.unauthenticated'));
    assert.ok((await first.devices()).devices.length >= 1);
  });

  it('refuses a replayed OPAQUE finish and a device proof from another device', async () => {
    const res = await fetch(`${server.url}/api/v1/auth/login/finish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        loginId: 'never-issued-login-id',
        finishLoginRequest: 'AAAA',
        deviceId: created.deviceId,
      }),
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'auth.login_expired');

    // A device key pair that is not the registered one signs the challenge.
    const impostor = new MemoryDeviceKeyStore();
    const genuine = (await devices.load())!;
    const fake = await (await import('@tresor/crypto')).generateDeviceKeyPair();
    await impostor.save({ ...genuine, keyPair: fake });
    await assert.rejects(
      login(http, {
        username: 'a.weber',
        password: PASSWORD,
        devices: impostor,
        deviceName: 'x',
        secondFactor: async () => nextCode(),
      }),
      rejectsWith('auth.device_proof_invalid'),
    );
  });

  it('writes every step into the audit trail', async () => {
    const res = await fetch(`${server.url}/api/v1/audit/entries?limit=500`, {
      headers: { authorization: `Bearer ${first.token}` },
    });
    assert.equal(res.status, 200);
    const { entries } = (await res.json()) as { entries: { action: string }[] };
    const actions = new Set(entries.map((e) => e.action));
    for (const action of [
      'practice.created',
      'user.created',
      'device.approved',
      'practice_key.granted',
      'auth.totp_enrolled',
      'auth.login_succeeded',
      'auth.login_failed',
      'device.registered',
      'device.revoked',
      'session.revoked',
    ]) {
      assert.ok(actions.has(action), `missing audit action ${action}`);
    }
  });

  it('verifies the audit trail on the client and notices an edited row', async () => {
    const intact = await first.verifyAuditTrail();
    assert.equal(intact.ok, true, JSON.stringify(intact));
    assert.ok(intact.treeSize > 10);
    await server.database.db.transaction().execute(async (trx) => {
      await sql`set local role none`.execute(trx);
      await sql`alter table audit_entries disable trigger user`.execute(trx);
      await sql`update audit_entries set action = 'auth.logout' where seq = 3`.execute(trx);
      await sql`alter table audit_entries enable trigger user`.execute(trx);
    });
    const tampered = await first.verifyAuditTrail({ pinnedServerKey: intact.serverKey });
    if (tampered.ok) assert.fail('an edited audit row went unnoticed');
    assert.ok(tampered.problems.some((p) => p.kind === 'chain_broken' && p.seq === 3));
  });

  it('never lets the server see the password, recovery code, TOTP secret in clear or unwrapped keys', async () => {
    const keys = first.keys;
    const secrets = new Map<string, string>([
      ['password', PASSWORD],
      ['recovery code', created.recoveryCode],
      ['recovery code (compact)', created.recoveryCode.replaceAll('-', '')],
      ['TOTP secret', totpSecret],
    ]);
    const addKey = (name: string, bytes: Uint8Array) => {
      secrets.set(`${name} (base64url)`, bytesToBase64url(bytes));
      secrets.set(`${name} (hex)`, bytesToHex(bytes));
    };
    addKey('user key', keys.userKey);
    addKey('practice key', keys.practiceKeys.get(1)!);
    addKey('x25519 private key', keys.pairs.encryption.privateKey);
    addKey('ed25519 private key', keys.pairs.signing.privateKey);

    const dump = await dumpRows(server.database);
    assert.ok(dump.length > 1000, 'the dump holds the stored rows');
    const haystacks = { 'request bodies': recorded.join('\n'), 'database rows': dump };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [name, secret] of secrets) {
        assert.ok(!text.includes(secret), `${name} found in ${where}`);
      }
    }
  });

  it('refuses uppercase ids (400) and ids another practice uses (409), storing nothing', async () => {
    const newPractice = (username: string, store = new MemoryDeviceKeyStore()) =>
      createPractice(http, {
        practiceName: 'Praxis Test',
        username,
        password: PASSWORD,
        deviceName: 'PC',
        devices: store,
        keyStretching: 'memory-constrained',
      });
    /** createPractice with the ids the client makes replaced (call 0: practice, 1: user, 2: device). */
    const withIds = async <T>(pick: (call: number, fresh: string) => string, run: () => Promise<T>) => {
      const original = globalThis.crypto.randomUUID.bind(globalThis.crypto);
      let call = 0;
      const uuids = mock.method(
        globalThis.crypto,
        'randomUUID',
        () => pick(call++, original()) as ReturnType<Crypto['randomUUID']>,
      );
      try {
        return await run();
      } finally {
        uuids.mock.restore();
      }
    };
    const unchanged = async (attempt: () => Promise<unknown>, code: string) => {
      const before = await dumpRows(server.database);
      await assert.rejects(attempt(), rejectsWith(code));
      assert.equal(await dumpRows(server.database), before);
    };

    await unchanged(
      () =>
        withIds(
          (_, fresh) => fresh.toUpperCase(),
          () => newPractice('upper.case'),
        ),
      'request.invalid',
    );
    const taken = new MemoryDeviceKeyStore();
    const other = await newPractice('other.practice', taken);
    await unchanged(() => newPractice('same.device', taken), 'accounts.id_taken');
    await unchanged(
      () =>
        withIds(
          (call, fresh) => (call === 1 ? other.userId : fresh),
          () => newPractice('same.user'),
        ),
      'accounts.id_taken',
    );
    // The refused names stay free.
    await newPractice('same.user');
  });
});
