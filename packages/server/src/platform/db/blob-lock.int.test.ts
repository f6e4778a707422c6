import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { createTestStorage, type TestStorage } from '../../testing/test-storage.js';
import { lockBlobKeys, referencedBlobKeys } from './blob-lock.js';
import { type Database, openDatabase } from './database.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

describe('blob locks', () => {
  let storage: TestStorage;
  let database: Database;
  before(async () => {
    storage = await createTestStorage();
    database = await openDatabase({ ...storage, migrations, mode: 'migrate' });
  });
  after(async () => {
    await database.close();
    await storage.dispose();
  });

  it("holds one transaction-scoped advisory lock per key, named 'tresor.blob:<key>' (every module's format)", async () => {
    const held = await database.db.transaction().execute(async (trx) => {
      await lockBlobKeys(trx, [B, A, B]);
      const { rows } = await sql<{ name: string }>`
        select k as name from unnest(${[`tresor.blob:${A}`, `tresor.blob:${B}`, 'tresor.blob:other']}::text[]) as k
        where exists (
          select from pg_locks l
          where l.locktype = 'advisory' and l.pid = pg_backend_pid() and l.granted and l.objsubid = 1
            and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(k, 0))
        order by k`.execute(trx);
      return rows.map((row) => row.name);
    });
    assert.deepEqual(held, [`tresor.blob:${A}`, `tresor.blob:${B}`]);
  });

  it('takes nothing for no keys', async () => {
    await database.db.transaction().execute((trx) => lockBlobKeys(trx, []));
  });

  it('tells which of a batch of keys any practice refers to, in one query', async () => {
    const referenced = await database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('blob_references')
        .values([
          { blob_key: A, practice_id: '0a0a0a0a-0000-4000-8000-00000000000a', refs: 1 },
          { blob_key: A, practice_id: '0b0b0b0b-0000-4000-8000-00000000000b', refs: 2 },
          { blob_key: B, practice_id: '0a0a0a0a-0000-4000-8000-00000000000a', refs: 0 },
        ])
        .execute();
      const found = await referencedBlobKeys(trx, [C, B, A, A]);
      await trx.deleteFrom('blob_references').execute();
      return found;
    });
    assert.deepEqual([...referenced], [A]);
    assert.deepEqual(
      await database.db.transaction().execute((trx) => referencedBlobKeys(trx, [])),
      new Set(),
    );
  });
});
