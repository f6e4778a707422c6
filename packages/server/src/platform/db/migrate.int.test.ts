import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kysely, type Migration, sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { createTestStorage, type TestStorage } from '../../testing/test-storage.js';
import { StartupError } from '../startup-error.js';
import { openDatabase } from './database.js';

const addsTable: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create table half_done (id int primary key)`.execute(db);
  },
};
const fails: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`select * from table_that_does_not_exist`.execute(db);
  },
};

describe('migrations', () => {
  let storage: TestStorage;
  before(async () => {
    storage = await createTestStorage();
  });
  after(() => storage.dispose());

  it('roll back as a whole when one fails, and the database does not open', async () => {
    const broken = {
      ...migrations,
      '20991231000000-adds-table': addsTable,
      '20991231000001-fails': fails,
    };
    await assert.rejects(
      openDatabase({ ...storage, migrations: broken, mode: 'migrate' }),
      (error: unknown) =>
        error instanceof StartupError &&
        error.code === 'database.migration_failed' &&
        error.message.includes('20991231000001-fails failed, nothing was applied'),
    );

    // Nothing of the failed batch is visible: neither the table nor the first migration's record.
    const database = await openDatabase({ ...storage, migrations, mode: 'migrate' });
    try {
      const tables = await sql<{ n: number }>`
        select count(*)::int as n from information_schema.tables where table_name = 'half_done'`.execute(
        database.db,
      );
      assert.equal(tables.rows[0]?.n, 0);
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        database.db,
      );
      assert.deepEqual(
        applied.rows.map((r) => r.name),
        Object.keys(migrations),
      );
    } finally {
      await database.close();
    }
  });

  it('refuse to open a database that is behind when asked not to migrate', async () => {
    const newer = { ...migrations, '20991231000000-adds-table': addsTable };
    await assert.rejects(
      openDatabase({ ...storage, migrations: newer, mode: 'require-current' }),
      (error: unknown) => error instanceof StartupError && error.code === 'database.migrations_pending',
    );
  });

  it('are idempotent: a second run applies nothing', async () => {
    let applied: readonly string[] = ['not called'];
    const database = await openDatabase({
      ...storage,
      migrations,
      mode: 'migrate',
      onMigrated: (names) => (applied = names),
    });
    await database.close();
    assert.deepEqual(applied, []);
  });
});
