import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AUDIT_CHAIN_GENESIS,
  type AuditCheckpoint,
  type AuditEntry,
  type AuditSigner,
  auditChainHash,
  auditLeafHash,
  auditSignerFromSeed,
  type AuditVerification,
  bytesToHex,
  MerkleFrontier,
  signAuditCheckpoint,
  verifyAuditTrail,
  verifyCheckpointConsistency,
} from '@tresor/crypto';
import { sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { type Database, openDatabase } from '../../platform/db/database.js';
import { type PracticeScope, withPractice } from '../../platform/db/tenant.js';
import { createTestStorage, type TestStorage } from '../../testing/test-storage.js';
import {
  AuditLog,
  AuditService,
  CheckpointScheduler,
  type CheckpointOutcome,
  PgAuditStore,
} from './index.js';

const USER = '1a1a1a1a-0000-4000-8000-00000000001a';
const SERVER = auditSignerFromSeed(new Uint8Array(32).fill(1));
const ATTACKER = auditSignerFromSeed(new Uint8Array(32).fill(2));
let practiceCounter = 0;

function created(outcome: CheckpointOutcome): AuditCheckpoint {
  if (outcome.status !== 'created') throw new Error(`expected a new checkpoint, got ${outcome.status}`);
  return outcome.checkpoint;
}
/** A fresh practice per test, so tests never see each other's logs. */
const newPractice = () => `0a0a0a0a-0000-4000-8000-${String(++practiceCounter).padStart(12, '0')}`;

describe('audit trail in the database', () => {
  let storage: TestStorage;
  let database: Database;
  let store: PgAuditStore;
  let service: AuditService;
  let log: AuditLog;

  before(async () => {
    storage = await createTestStorage();
    database = await openDatabase({ ...storage, migrations, mode: 'migrate' });
    store = new PgAuditStore(database.db);
    service = new AuditService(store, SERVER);
    log = new AuditLog(store);
  });
  after(async () => {
    await database.close();
    await storage.dispose();
  });

  const append = (practiceId: string, n = 1, into: AuditLog = log) =>
    withPractice(database.db, practiceId, async (scope) => {
      const appended = [];
      for (let i = 0; i < n; i++) {
        appended.push(
          await into.append(scope, {
            practiceId,
            actorUserId: USER,
            action: 'record.updated',
            targetId: `rec-${i}`,
            ciphertextHash: 'ab'.repeat(32),
          }),
        );
      }
      return appended;
    });

  const entriesOf = async (practiceId: string) => (await service.entries(practiceId, 0, 1000)).entries;
  const verify = (practiceId: string, remembered?: AuditCheckpoint) =>
    service.verify(practiceId, SERVER.publicKey, remembered);
  const problems = (result: AuditVerification) =>
    result.ok ? [] : result.problems.map((p) => `${p.kind}@${p.seq}`);

  /** Acts as the database owner (a superuser here) with triggers off: the attacker of the threat model. */
  const asAttacker = (practiceId: string, work: (scope: PracticeScope) => Promise<void>) =>
    withPractice(database.db, practiceId, async (scope) => {
      await sql`set local role none`.execute(scope);
      await sql`set local session_replication_role = replica`.execute(scope);
      await work(scope);
    });

  /** 30 entries with signed checkpoints at 10, 20 and 30. */
  async function practiceWithCheckpoints(): Promise<{ practiceId: string; checkpoints: AuditCheckpoint[] }> {
    const practiceId = newPractice();
    const checkpoints: AuditCheckpoint[] = [];
    for (let i = 0; i < 3; i++) {
      await append(practiceId, 10);
      checkpoints.push(created(await service.createCheckpoint(practiceId)));
    }
    assert.ok((await verify(practiceId)).ok);
    return { practiceId, checkpoints };
  }

  /** Rewrites entry 5 and every hash after it, and the head: a consistent forged chain. */
  async function rebuildChain(practiceId: string): Promise<AuditEntry[]> {
    const forged: AuditEntry[] = [];
    await asAttacker(practiceId, async (scope) => {
      let previous = AUDIT_CHAIN_GENESIS;
      for (const entry of await store.entries(scope, practiceId, 0, 1000)) {
        const fields = entry.seq === 5 ? { ...entry, action: 'record.viewed' } : entry;
        previous = auditChainHash(previous, fields);
        forged.push({ ...fields, entryHash: previous });
        await scope
          .updateTable('audit_entries')
          .set({ action: fields.action, entry_hash: previous })
          .where('practice_id', '=', practiceId)
          .where('seq', '=', entry.seq)
          .execute();
      }
      await store.moveHead(scope, practiceId, { seq: forged.length, headHash: previous });
    });
    return forged;
  }

  /** Replaces all checkpoints with ones over the forged chain, signed by `signer`. */
  async function resign(
    practiceId: string,
    forged: AuditEntry[],
    signer: AuditSigner,
  ): Promise<AuditCheckpoint[]> {
    const checkpoints = [10, 20, 30].map((size) => {
      const frontier = MerkleFrontier.empty();
      for (const entry of forged.slice(0, size)) frontier.push(auditLeafHash(entry));
      const body = {
        practiceId,
        treeSize: size,
        rootHash: bytesToHex(frontier.root()),
        chainHead: forged[size - 1]!.entryHash,
        createdAt: new Date().toISOString(),
      };
      return { ...signAuditCheckpoint(body, signer), frontier: frontier.nodes().map(bytesToHex) };
    });
    await asAttacker(practiceId, async (scope) => {
      await scope.deleteFrom('audit_checkpoints').where('practice_id', '=', practiceId).execute();
      for (const checkpoint of checkpoints) await store.insertCheckpoint(scope, checkpoint);
    });
    return checkpoints;
  }

  it('chains appends: seq 1, 2, 3 … with hashes over content and predecessor', async () => {
    const practiceId = newPractice();
    const appended = await append(practiceId, 3);
    assert.deepEqual(
      appended.map((a) => a.seq),
      [1, 2, 3],
    );
    const entries = await entriesOf(practiceId);
    assert.deepEqual(
      entries.map((e) => e.entryHash),
      appended.map((a) => a.entryHash),
    );
    assert.equal(entries[0]!.ciphertextHash, 'ab'.repeat(32));
    assert.equal(entries[0]!.deviceId, null);
    const result = verifyAuditTrail({
      practiceId,
      entries,
      checkpoints: [],
      serverPublicKey: SERVER.publicKey,
    });
    assert.ok(result.ok);
  });

  it('writes an entry exactly when the caller commits', async () => {
    const practiceId = newPractice();
    await append(practiceId, 2);
    await assert.rejects(
      withPractice(database.db, practiceId, async (scope) => {
        await log.append(scope, { practiceId, action: 'record.deleted', targetId: 'rec-9' });
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    assert.equal((await entriesOf(practiceId)).length, 2);
    assert.equal((await append(practiceId))[0]!.seq, 3);
    assert.ok((await verify(practiceId)).ok);
  });

  it('refuses events with plaintext-looking fields', async () => {
    const practiceId = newPractice();
    await assert.rejects(
      withPractice(database.db, practiceId, (scope) =>
        log.append(scope, { practiceId, action: 'record.updated', targetId: 'Erika Mustermann' }),
      ),
      TypeError,
    );
    assert.equal((await entriesOf(practiceId)).length, 0);
  });

  it('serialises 20 concurrent appends of one practice without gaps', async () => {
    const practiceId = newPractice();
    const results = await Promise.all(Array.from({ length: 20 }, () => append(practiceId)));
    assert.deepEqual(
      results.map(([a]) => a!.seq).sort((x, y) => x - y),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.ok((await verify(practiceId)).ok);
  });

  it('keeps practices apart by row-level security', async () => {
    const [a, b] = [newPractice(), newPractice()];
    await append(a, 2);
    await append(b, 1);
    assert.deepEqual(
      (await entriesOf(b)).map((e) => e.practiceId),
      [b],
    );
    const seenFromB = await withPractice(database.db, b, (scope) =>
      scope.selectFrom('audit_entries').select('practice_id').where('practice_id', '=', a).execute(),
    );
    assert.deepEqual(seenFromB, []);
    await assert.rejects(
      withPractice(database.db, b, (scope) => log.append(scope, { practiceId: a, action: 'record.created' })),
      /row-level security/,
    );
    assert.deepEqual(await database.db.selectFrom('audit_entries').selectAll().execute(), []);
    assert.deepEqual(await database.db.selectFrom('audit_checkpoints').selectAll().execute(), []);
  });

  it('refuses UPDATE, DELETE and TRUNCATE to the application role', async () => {
    const practiceId = newPractice();
    await append(practiceId, 2);
    assert.equal((await service.createCheckpoint(practiceId)).status, 'created');
    const attempts: [string, (scope: PracticeScope) => Promise<unknown>][] = [
      ['update entries', (s) => s.updateTable('audit_entries').set({ action: 'record.viewed' }).execute()],
      ['delete entries', (s) => s.deleteFrom('audit_entries').execute()],
      ['truncate entries', (s) => sql`truncate audit_entries`.execute(s)],
      ['update checkpoints', (s) => s.updateTable('audit_checkpoints').set({ signature: 'x' }).execute()],
      ['delete checkpoints', (s) => s.deleteFrom('audit_checkpoints').execute()],
      ['truncate checkpoints', (s) => sql`truncate audit_checkpoints`.execute(s)],
      ['delete heads', (s) => s.deleteFrom('audit_heads').execute()],
      ['move the head back', (s) => s.updateTable('audit_heads').set({ seq: 1 }).execute()],
    ];
    for (const [what, attempt] of attempts) {
      await assert.rejects(
        withPractice(database.db, practiceId, attempt),
        /permission denied|only moves forward/,
        what,
      );
    }
    assert.ok((await verify(practiceId)).ok);
  });

  it('refuses changes by trigger even to the owner, while triggers are on', async () => {
    const practiceId = newPractice();
    await append(practiceId, 1);
    const asOwner = (work: (scope: PracticeScope) => Promise<unknown>) =>
      withPractice(database.db, practiceId, async (scope) => {
        await sql`set local role none`.execute(scope);
        await work(scope);
      });
    await assert.rejects(
      asOwner((s) => s.updateTable('audit_entries').set({ action: 'record.viewed' }).execute()),
      /append-only: UPDATE on audit_entries/,
    );
    await assert.rejects(
      asOwner((s) => s.deleteFrom('audit_entries').execute()),
      /append-only: DELETE/,
    );
    await assert.rejects(
      asOwner((s) => sql`truncate audit_entries`.execute(s)),
      /append-only: TRUNCATE/,
    );
  });

  describe('tampering by the database owner with triggers disabled is detected', () => {
    it('an edited row', async () => {
      const { practiceId } = await practiceWithCheckpoints();
      await asAttacker(practiceId, async (scope) => {
        await scope
          .updateTable('audit_entries')
          .set({ target_id: 'rec-forged' })
          .where('seq', '=', 15)
          .execute();
      });
      assert.deepEqual(problems(await verify(practiceId)), ['chain_broken@15', 'checkpoint_mismatch@20']);
    });

    it('an edited row not yet checkpointed: the server refuses to sign it', async () => {
      const { practiceId } = await practiceWithCheckpoints();
      await append(practiceId, 3);
      await asAttacker(practiceId, async (scope) => {
        await scope.updateTable('audit_entries').set({ device_id: USER }).where('seq', '=', 32).execute();
      });
      const outcome = await service.createCheckpoint(practiceId);
      assert.deepEqual(outcome.status === 'refused' && [outcome.problem.kind, outcome.problem.seq], [
        'chain_broken',
        32,
      ]);
      assert.deepEqual(problems(await verify(practiceId)), ['chain_broken@32']);
    });

    it('a deleted row', async () => {
      const { practiceId } = await practiceWithCheckpoints();
      await withPractice(database.db, practiceId, async (scope) => {
        await sql`set local role none`.execute(scope);
        await sql`alter table audit_entries disable trigger user`.execute(scope);
        await scope.deleteFrom('audit_entries').where('seq', '=', 12).execute();
        await sql`alter table audit_entries enable trigger user`.execute(scope);
      });
      const found = problems(await verify(practiceId));
      assert.deepEqual(found.slice(0, 3), ['seq_gap@12', 'chain_broken@13', 'checkpoint_mismatch@20']);
    });

    it('a truncated tail, with the head moved back too', async () => {
      const { practiceId } = await practiceWithCheckpoints();
      await asAttacker(practiceId, async (scope) => {
        await scope.deleteFrom('audit_entries').where('seq', '>', 25).execute();
        const last = await store.entries(scope, practiceId, 24, 1);
        await store.moveHead(scope, practiceId, { seq: 25, headHash: last[0]!.entryHash });
      });
      assert.deepEqual(problems(await verify(practiceId)), ['truncated@26']);
    });

    it('a whole chain rebuilt with consistent hashes: by the old checkpoints', async () => {
      const { practiceId } = await practiceWithCheckpoints();
      await rebuildChain(practiceId);
      assert.deepEqual(problems(await verify(practiceId)), ['checkpoint_mismatch@10']);
      // The server refuses to sign on top of it.
      await append(practiceId);
      const outcome = await service.createCheckpoint(practiceId);
      assert.equal(outcome.status === 'refused' && outcome.problem.kind, 'chain_broken');
    });

    it('a whole chain rebuilt and all checkpoints deleted: the running server refuses to sign it', async () => {
      const { practiceId } = await practiceWithCheckpoints();
      await rebuildChain(practiceId);
      await asAttacker(practiceId, async (scope) => {
        await scope.deleteFrom('audit_checkpoints').where('practice_id', '=', practiceId).execute();
      });
      await append(practiceId);
      const outcome = await service.createCheckpoint(practiceId);
      assert.deepEqual(outcome.status === 'refused' && [outcome.problem.kind, outcome.problem.seq], [
        'inconsistent_with_remembered',
        30,
      ]);
      // A server started afresh has no such memory: it would sign, and only clients' memory helps.
      assert.equal((await new AuditService(store, SERVER).createCheckpoint(practiceId)).status, 'created');
    });

    it('a whole chain rebuilt and re-signed without the server key: by the signatures', async () => {
      const { practiceId } = await practiceWithCheckpoints();
      await resign(practiceId, await rebuildChain(practiceId), ATTACKER);
      assert.deepEqual(problems(await verify(practiceId)), ['checkpoint_signature@10']);
    });

    it('a whole chain rebuilt and re-signed with the server key: by a remembered checkpoint', async () => {
      const { practiceId, checkpoints } = await practiceWithCheckpoints();
      const remembered = checkpoints[0]!;
      const forgedCheckpoints = await resign(practiceId, await rebuildChain(practiceId), SERVER);
      assert.deepEqual(problems(await verify(practiceId)), []);
      assert.deepEqual(problems(await verify(practiceId, remembered)), ['inconsistent_with_remembered@10']);
      // A client that only asks for a consistency proof to the newest checkpoint sees it as well.
      const { proof } = await service.consistencyProof(practiceId, 10, 30);
      const check = verifyCheckpointConsistency({
        serverPublicKey: SERVER.publicKey,
        remembered,
        latest: forgedCheckpoints[2]!,
        proof,
      });
      assert.equal(check.ok ? 'ok' : check.reason, 'inconsistent_with_remembered');
    });
  });

  it('creates a checkpoint only when the log grew, and it verifies', async () => {
    const practiceId = newPractice();
    assert.deepEqual(await service.createCheckpoint(practiceId), {
      status: 'unchanged',
      checkpoint: undefined,
    });
    await append(practiceId, 3);
    const first = created(await service.createCheckpoint(practiceId));
    assert.deepEqual(await service.createCheckpoint(practiceId), { status: 'unchanged', checkpoint: first });
    await append(practiceId, 2);
    assert.equal(created(await service.createCheckpoint(practiceId)).treeSize, 5);
    const result = await verify(practiceId, first);
    assert.deepEqual(result.ok && [result.treeSize, result.checkpointsVerified], [5, 2]);
  });

  it('refuses to sign when the latest checkpoint was not signed by this server', async () => {
    const { practiceId } = await practiceWithCheckpoints();
    await append(practiceId);
    const other = new AuditService(store, ATTACKER);
    const outcome = await other.createCheckpoint(practiceId);
    assert.equal(outcome.status === 'refused' && outcome.problem.kind, 'checkpoint_signature');
  });

  it('schedules checkpoints after N appends and when stopped', async () => {
    const practiceId = newPractice();
    const logged: string[] = [];
    const logger = {
      warn: (_: object, m: string) => logged.push(m),
      error: (_: object, m: string) => logged.push(m),
    };
    const scheduler = new CheckpointScheduler(service, {
      logger,
      intervalMs: 3_600_000,
      appendsPerCheckpoint: 5,
    });
    const scheduled = new AuditLog(store, { onAppend: scheduler.noteAppend });
    scheduler.start();
    await append(practiceId, 5, scheduled);
    await scheduler.flush();
    assert.equal((await service.latestCheckpoint(practiceId)).treeSize, 5);
    await append(practiceId, 2, scheduled);
    await scheduler.stop();
    assert.equal((await service.latestCheckpoint(practiceId)).treeSize, 7);
    assert.deepEqual(logged, []);
  });
});
