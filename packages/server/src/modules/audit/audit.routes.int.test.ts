import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  type AuditCheckpoint,
  type AuditEntry,
  auditLeafHash,
  auditSignerFromSeed,
  auditSigningPublicKey,
  base64urlToBytes,
  bytesToHex,
  hexToBytes,
  merkleRoot,
  verifyAuditTrail,
  verifyCheckpointConsistency,
  verifyConsistency,
} from '@tresor/crypto';
import { fastify, type FastifyInstance } from 'fastify';
import { migrations } from '../../migrations/index.js';
import { type Database, openDatabase } from '../../platform/db/database.js';
import { withPractice } from '../../platform/db/tenant.js';
import { type AuthContext, createAuthGuards } from '../../platform/http/auth-guard.js';
import { handleError } from '../../platform/http/error-handler.js';
import { registerValidation } from '../../platform/http/validation.js';
import { createTestStorage, type TestStorage } from '../../testing/test-storage.js';
import { AuditLog, AuditService, auditRoutes, PgAuditStore } from './index.js';

const A = '0a0a0a0a-0000-4000-8000-00000000000a';
const B = '0b0b0b0b-0000-4000-8000-00000000000b';
const TOKEN_A = 'a'.repeat(24);
const TOKEN_B = 'b'.repeat(24);
const session = (practiceId: string): AuthContext => ({
  practiceId,
  userId: '1a1a1a1a-0000-4000-8000-00000000001a',
  deviceId: '2a2a2a2a-0000-4000-8000-00000000002a',
  sessionId: '3a3a3a3a-0000-4000-8000-00000000003a',
  role: 'secondary',
});
const SESSIONS = new Map([
  [TOKEN_A, session(A)],
  [TOKEN_B, session(B)],
]);

describe('audit routes', () => {
  let storage: TestStorage;
  let database: Database;
  let service: AuditService;
  let log: AuditLog;
  let app: FastifyInstance;

  before(async () => {
    storage = await createTestStorage();
    database = await openDatabase({ ...storage, migrations, mode: 'migrate' });
    const store = new PgAuditStore(database.db);
    service = new AuditService(store, auditSignerFromSeed(new Uint8Array(32).fill(3)));
    log = new AuditLog(store);
    const typed = fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
    registerValidation(typed);
    typed.setErrorHandler(handleError);
    const guards = createAuthGuards({ authenticate: async (token) => SESSIONS.get(token) });
    await typed.register(auditRoutes(service, guards));
    app = typed;
    await app.ready();
    await append(B, 1);
  });
  after(async () => {
    await app.close();
    await database.close();
    await storage.dispose();
  });

  async function append(practiceId: string, n: number) {
    await withPractice(database.db, practiceId, async (scope) => {
      for (let i = 0; i < n; i++) {
        await log.append(scope, { practiceId, action: 'record.created', targetId: `rec-${i}` });
      }
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the reply shape
  async function get<T>(url: string, token: string | null = TOKEN_A): Promise<{ status: number; body: T }> {
    const response = await app.inject({
      method: 'GET',
      url,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    return { status: response.statusCode, body: response.json<T>() };
  }
  const errorCode = async (url: string, token: string | null = TOKEN_A) =>
    (await get<{ error: { code: string } }>(url, token)).body.error.code;

  it('requires a signed-in session on every route', async () => {
    for (const url of [
      '/api/v1/audit/entries',
      '/api/v1/audit/checkpoints',
      '/api/v1/audit/checkpoints/latest',
      '/api/v1/audit/consistency?from=1&to=1',
      '/api/v1/audit/signing-key',
    ]) {
      assert.equal((await get(url, null)).status, 401, url);
      assert.equal(await errorCode(url, 'not-a-session-token-xyz'), 'auth.unauthenticated', url);
    }
  });

  it('answers 404 audit.no_checkpoint before the first checkpoint', async () => {
    assert.equal(await errorCode('/api/v1/audit/checkpoints/latest'), 'audit.no_checkpoint');
  });

  it('pages entries ascending, only of the caller’s practice', async () => {
    await append(A, 12);
    const first = await get<{ entries: AuditEntry[]; treeSize: number }>('/api/v1/audit/entries?limit=5');
    assert.equal(first.status, 200);
    assert.equal(first.body.treeSize, 12);
    assert.deepEqual(
      first.body.entries.map((e) => e.seq),
      [1, 2, 3, 4, 5],
    );
    assert.equal(first.body.entries[0]!.actorUserId, null);
    const rest = await get<{ entries: AuditEntry[] }>('/api/v1/audit/entries?after=5&limit=1000');
    assert.deepEqual(
      rest.body.entries.map((e) => e.seq),
      [6, 7, 8, 9, 10, 11, 12],
    );
    assert.ok(rest.body.entries.every((e) => e.practiceId === A));
    const ofB = await get<{ entries: AuditEntry[] }>('/api/v1/audit/entries', TOKEN_B);
    assert.deepEqual(
      ofB.body.entries.map((e) => [e.practiceId, e.seq]),
      [[B, 1]],
    );
  });

  it('rejects bad input with 400 and a stable code, never 500', async () => {
    const cases: [string, string][] = [
      ['/api/v1/audit/entries?after=-1', 'request.invalid'],
      ['/api/v1/audit/entries?limit=0', 'request.invalid'],
      ['/api/v1/audit/entries?limit=abc', 'request.invalid'],
      ['/api/v1/audit/entries?after=1e300', 'request.invalid'],
      ['/api/v1/audit/checkpoints?after=x', 'request.invalid'],
      ['/api/v1/audit/consistency?from=abc&to=3', 'request.invalid'],
      ['/api/v1/audit/consistency?to=3', 'request.invalid'],
      ['/api/v1/audit/consistency?from=0&to=3', 'request.invalid'],
      ['/api/v1/audit/consistency?from=5&to=3', 'audit.invalid_range'],
      ['/api/v1/audit/consistency?from=3&to=13', 'audit.beyond_tree_size'],
      ['/api/v1/audit/consistency?from=1&to=9007199254740991', 'audit.beyond_tree_size'],
    ];
    for (const [url, code] of cases) {
      const { status, body } = await get<{ error: { code: string } }>(url);
      assert.deepEqual([status, body.error.code], [400, code], url);
    }
    // Practice B's log has one entry: A's tree size does not apply to B.
    assert.equal(await errorCode('/api/v1/audit/consistency?from=1&to=2', TOKEN_B), 'audit.beyond_tree_size');
  });

  it('serves consistency proofs that verify against roots recomputed from the served entries', async () => {
    const { body } = await get<{ entries: AuditEntry[] }>('/api/v1/audit/entries?limit=1000');
    const leaves = body.entries.map(auditLeafHash);
    const roots = Array.from({ length: leaves.length + 1 }, (_, n) => merkleRoot(leaves.slice(0, n)));
    for (let to = 1; to <= leaves.length; to++) {
      for (let from = 1; from <= to; from++) {
        const { status, body: proof } = await get<{ proof: string[] }>(
          `/api/v1/audit/consistency?from=${from}&to=${to}`,
        );
        assert.equal(status, 200);
        assert.ok(
          verifyConsistency(from, to, roots[from]!, roots[to]!, proof.proof.map(hexToBytes)),
          `${from}→${to}`,
        );
      }
    }
  });

  it('lets a client pin the key, remember a checkpoint and verify the next one (the SDK flow)', async () => {
    const key = await get<{ algorithm: string; publicKey: string }>('/api/v1/audit/signing-key');
    assert.equal(key.body.algorithm, 'Ed25519');
    const serverPublicKey = auditSigningPublicKey(base64urlToBytes(key.body.publicKey));

    await service.createCheckpoint(A);
    const remembered = (await get<AuditCheckpoint>('/api/v1/audit/checkpoints/latest')).body;
    assert.equal(remembered.treeSize, 12);
    await append(A, 5);
    await service.createCheckpoint(A);
    const latest = (await get<AuditCheckpoint>('/api/v1/audit/checkpoints/latest')).body;
    assert.equal(latest.treeSize, 17);
    const { body: consistency } = await get<{ proof: string[] }>(
      `/api/v1/audit/consistency?from=${remembered.treeSize}&to=${latest.treeSize}`,
    );
    const check = verifyCheckpointConsistency({
      serverPublicKey,
      remembered,
      latest,
      proof: consistency.proof,
    });
    assert.deepEqual(check, { ok: true, checkpoint: latest });

    // Full verification from what the API serves.
    const entries = (await get<{ entries: AuditEntry[] }>('/api/v1/audit/entries?limit=1000')).body.entries;
    const checkpoints = (await get<{ checkpoints: AuditCheckpoint[] }>('/api/v1/audit/checkpoints')).body
      .checkpoints;
    assert.deepEqual(
      checkpoints.map((c) => c.treeSize),
      [12, 17],
    );
    const result = verifyAuditTrail({ practiceId: A, entries, checkpoints, serverPublicKey, remembered });
    assert.deepEqual(result, { ok: true, treeSize: 17, checkpointsVerified: 2, checkpoint: latest });
    assert.equal(bytesToHex(serverPublicKey).length, 64);
  });

  it('never shows one practice another practice’s checkpoints', async () => {
    const ofB = await get<{ checkpoints: AuditCheckpoint[] }>('/api/v1/audit/checkpoints', TOKEN_B);
    assert.deepEqual(ofB.body.checkpoints, []);
    assert.equal(await errorCode('/api/v1/audit/checkpoints/latest', TOKEN_B), 'audit.no_checkpoint');
  });
});
