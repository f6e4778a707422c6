import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import * as opaque from '@serenity-kit/opaque';
import { AppError } from '../../platform/app-error.js';
import type { AccountsStore } from './accounts.store.js';
import type { AuditRecorder } from './audit-recorder.js';
import { SecurityAlarms } from './security-alarms.js';
import { CredentialsService } from './credentials.service.js';
import { LoginThrottle } from './login-throttle.js';
import { LoginService } from './login.service.js';
import { OpaqueServer } from './opaque-server.js';
import type { PasskeysStore } from './passkeys.store.js';
import { TotpVerifier } from './totp.js';
import { WebAuthnRelyingParty } from './webauthn.js';

/** An accounts store that knows no users: starts for unknown names touch nothing else. */
const noUsers = {
  loginCandidate: () => Promise.resolve(undefined),
  lookup: () => Promise.resolve(undefined),
} as Partial<AccountsStore> as AccountsStore;
const unused = {} as AuditRecorder;
const noAlarms = new SecurityAlarms(noUsers, unused, { notify: () => undefined });

/** Login and recovery services on a throttle with a fake clock whose waits are recorded. */
async function services() {
  const waits: number[] = [];
  const throttle = new LoginThrottle(
    () => 0,
    async (ms) => {
      waits.push(ms);
    },
  );
  const server = await OpaqueServer.create(await OpaqueServer.newSetup());
  const login = new LoginService(
    noUsers,
    server,
    new TotpVerifier(randomBytes(32)),
    throttle,
    unused,
    noAlarms,
    {
      passkeys: {} as PasskeysStore,
      relyingParty: new WebAuthnRelyingParty('https://praxis.example'),
    },
  );
  const credentials = new CredentialsService(noUsers, unused, throttle, server);
  return { waits, login, credentials };
}

const client = { ip: '203.0.113.7', userAgent: undefined };

async function settle<T>(attempts: Promise<T>[]): Promise<{ ok: number; refused: number }> {
  const results = await Promise.allSettled(attempts);
  for (const r of results) {
    if (r.status === 'rejected') {
      assert.ok(r.reason instanceof AppError, String(r.reason));
      assert.equal(r.reason.code, 'request.rate_limited');
    }
  }
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  return { ok, refused: results.length - ok };
}

describe('login and recovery starts under the throttle', () => {
  before(() => opaque.ready);
  const startLoginRequest = () => opaque.client.startLogin({ password: 'guess' }).startLoginRequest;

  it('delays parallel login starts for one user like sequential ones, refusing the excess', async () => {
    const { waits, login } = await services();
    const starts = Array.from({ length: 20 }, () =>
      login.start({ username: 'Victim', startLoginRequest: startLoginRequest() }, client),
    );
    assert.deepEqual(await settle(starts), { ok: 10, refused: 10 });
    // 0, 0.25, 0.5, 1, 2, 4 s, then 5 s each: every start waits for its own turn.
    assert.deepEqual(waits, [0, 250, 750, 1750, 3750, 7750, 12750, 17750, 22750, 27750]);
  });

  it('delays parallel recovery starts the same way', async () => {
    const { waits, credentials } = await services();
    const starts = Array.from({ length: 20 }, () => credentials.startRecovery('Victim', client.ip));
    assert.deepEqual(await settle(starts), { ok: 10, refused: 10 });
    assert.deepEqual(waits, [0, 250, 750, 1750, 3750, 7750, 12750, 17750, 22750, 27750]);
  });
});
