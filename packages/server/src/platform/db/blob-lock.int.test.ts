import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { createTestStorage, type TestStorage } from '../../testing/test-storage.js';
import { lockBlobKeys } from './blob-lock.js';
import { type Database, openDatabase } from './database.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

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
});
