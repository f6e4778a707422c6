import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditSignerFromSeed, bytesToBase64url } from '@tresor/crypto';
import { sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { type Database, openDatabase } from '../../platform/db/database.js';
import { withPractice } from '../../platform/db/tenant.js';
import { runCli } from '../../testing/server-process.js';
import { createTestStorage, type TestStorage } from '../../testing/test-storage.js';
import { AuditLog, AuditService, loadOrCreateAuditSigningKey, PgAuditStore } from './index.js';

const PRACTICE = '0c0c0c0c-0000-4000-8000-00000000000c';

// Runs the built CLI (dist/cli.js): build first with `npx tsc -b`.
describe('tresor audit verify', () => {
  let storage: TestStorage;
  let env: Record<string, string>;

  async function withDatabase(work: (database: Database) => Promise<void>): Promise<void> {
    const database = await openDatabase({ ...storage, migrations, mode: 'migrate' });
    try {
      await work(database);
    } finally {
      await database.close();
    }
  }
  const verify = (...args: string[]) => runCli(['audit', 'verify', '--practice', PRACTICE, ...args], env);

  before(async () => {
    storage = await createTestStorage();
    env = {
      TRESOR_DATA_DIR: storage.dataDir,
      ...(storage.databaseUrl === undefined ? {} : { DATABASE_URL: storage.databaseUrl }),
    };
    await withDatabase(async (database) => {
      const store = new PgAuditStore(database.db);
      const service = new AuditService(store, await loadOrCreateAuditSigningKey(storage.dataDir));
      const log = new AuditLog(store);
      await withPractice(database.db, PRACTICE, async (scope) => {
        for (let i = 0; i < 10; i++)
          await log.append(scope, { practiceId: PRACTICE, action: 'record.created' });
      });
      await service.createCheckpoint(PRACTICE);
      await withPractice(database.db, PRACTICE, (scope) =>
        log.append(scope, { practiceId: PRACTICE, action: 'record.deleted', targetId: 'rec-1' }),
      );
    });
  });
  after(() => storage.dispose());

  it('exits 0 and says OK for an intact trail', async () => {
    const { code, stdout, stderr } = await verify();
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^OK: 11 entries, chain intact, 1 checkpoints verified \(newest covers 10 entries/);
  });

  it('prints the result object with --json, and accepts it back as the remembered checkpoint', async () => {
    const { code, stdout } = await verify('--json');
    assert.equal(code, 0);
    const result = JSON.parse(stdout) as { ok: boolean; treeSize: number; checkpoint: { treeSize: number } };
    assert.deepEqual([result.ok, result.treeSize, result.checkpoint.treeSize], [true, 11, 10]);
    const file = join(storage.dataDir, 'remembered.json');
    await writeFile(file, stdout);
    assert.equal((await verify('--remembered', file)).code, 0);
  });

  it('exits 2 for invalid usage', async () => {
    assert.equal((await runCli(['audit', 'verify', '--practice', 'not-a-uuid'], env)).code, 2);
    assert.equal((await runCli(['audit', 'verify'], env)).code, 2);
    const badKey = await verify('--public-key', 'abc');
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /--public-key/);
  });

  it('exits 3 when checkpoints are not signed by the given key', async () => {
    const other = bytesToBase64url(auditSignerFromSeed(new Uint8Array(32).fill(5)).publicKey);
    const { code, stdout } = await verify('--public-key', other);
    assert.equal(code, 3);
    assert.match(stdout, /checkpoint_signature at seq 10/);
  });

  it('exits 3 and names the problem when a row was edited', async () => {
    await withDatabase(async (database) => {
      await withPractice(database.db, PRACTICE, async (scope) => {
        await sql`set local role none`.execute(scope);
        await sql`set local session_replication_role = replica`.execute(scope);
        await scope
          .updateTable('audit_entries')
          .set({ action: 'record.viewed' })
          .where('seq', '=', 4)
          .execute();
      });
    });
    const { code, stdout } = await verify();
    assert.equal(code, 3);
    assert.match(stdout, /^TAMPERING DETECTED in the audit trail of practice 0c0c0c0c/);
    assert.match(stdout, /chain_broken at seq 4/);
    assert.match(stdout, /checkpoint_mismatch at seq 10/);
    const json = await verify('--json');
    assert.equal(json.code, 3);
    assert.equal((JSON.parse(json.stdout) as { ok: boolean }).ok, false);
  });
});
