import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpClient, MemoryDeviceKeyStore, createPractice, login } from '@tresor/sdk';
import { withPractice } from '../db/tenant.js';
import { createTestServer } from '../../testing/test-server.js';
import { totpCode } from '../../testing/totp-codes.js';

const PASSWORD = 'a password for the client address test';
const FORWARDED = '203.0.113.7';

/** Logs in once through a fetch that claims X-Forwarded-For; returns the session's stored IP. */
async function storedClientIp(env: Record<string, string>): Promise<string | null | undefined> {
  const server = await createTestServer(env);
  try {
    const forwardingFetch: typeof fetch = (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': FORWARDED },
      });
    const http = new HttpClient({ baseUrl: server.url, fetch: forwardingFetch });
    const devices = new MemoryDeviceKeyStore();
    const created = await createPractice(http, {
      practiceName: 'Praxis am Ring',
      username: 'c.ring',
      password: PASSWORD,
      deviceName: 'Empfang',
      devices,
    });
    const session = await login(http, {
      username: 'c.ring',
      password: PASSWORD,
      devices,
      deviceName: 'Empfang',
      secondFactor: async (prompt) => (prompt.kind === 'totp_enrolment' ? totpCode(prompt.secret) : ''),
    });
    const row = await withPractice(server.database.db, created.practiceId, (scope) =>
      scope
        .selectFrom('sessions')
        .select('client_ip')
        .where('id', '=', session.info.sessionId)
        .executeTakeFirst(),
    );
    return row?.client_ip;
  } finally {
    await server.close();
  }
}

describe('client address behind a reverse proxy', () => {
  it('ignores X-Forwarded-For unless the proxy is trusted', async () => {
    assert.equal(await storedClientIp({}), '127.0.0.1');
  });

  it('takes the client address from a trusted proxy', async () => {
    assert.equal(await storedClientIp({ TRESOR_TRUST_PROXY: 'loopback' }), FORWARDED);
  });
});
