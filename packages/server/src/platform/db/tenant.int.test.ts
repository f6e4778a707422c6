import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { createTestStorage, type TestStorage } from '../../testing/test-storage.js';
import { type Database, openDatabase } from './database.js';
import { withPractice } from './tenant.js';

const A = '0a0a0a0a-0000-4000-8000-00000000000a';
const B = '0b0b0b0b-0000-4000-8000-00000000000b';

describe('tenant separation by row-level security', () => {
  let storage: TestStorage;
  let database: Database;
  before(async () => {
    storage = await createTestStorage();
    database = await openDatabase({ ...storage, migrations, mode: 'migrate' });
    for (const [practice, body] of [
      [A, 'a1'],
      [A, 'a2'],
      [B, 'b1'],
    ] as const) {
      await withPractice(database.db, practice, (scope) =>
        scope.insertInto('tenant_probes').values({ practice_id: practice, body }).execute(),
      );
    }
  });
  after(async () => {
    await database.close();
    await storage.dispose();
  });

  it('shows a practice only its own rows, even to a query without a WHERE clause', async () => {
    const rowsA = await withPractice(database.db, A, (scope) =>
      scope.selectFrom('tenant_probes').select('body').orderBy('body').execute(),
    );
    assert.deepEqual(
      rowsA.map((r) => r.body),
      ['a1', 'a2'],
    );
    const rowsB = await withPractice(database.db, B, (scope) =>
      scope.selectFrom('tenant_probes').select('body').execute(),
    );
    assert.deepEqual(
      rowsB.map((r) => r.body),
      ['b1'],
    );
  });

  it('refuses to write a row of another practice', async () => {
    await assert.rejects(
      withPractice(database.db, A, (scope) =>
        scope.insertInto('tenant_probes').values({ practice_id: B, body: 'smuggled' }).execute(),
      ),
      /row-level security/,
    );
  });

  it('cannot update or delete another practice’s rows', async () => {
    const updated = await withPractice(database.db, A, (scope) =>
      scope
        .updateTable('tenant_probes')
        .set({ body: 'overwritten' })
        .where('practice_id', '=', B)
        .executeTakeFirst(),
    );
    assert.equal(updated.numUpdatedRows, 0n);
    const deleted = await withPractice(database.db, A, (scope) =>
      scope.deleteFrom('tenant_probes').where('practice_id', '=', B).executeTakeFirst(),
    );
    assert.equal(deleted.numDeletedRows, 0n);
    const rowsB = await withPractice(database.db, B, (scope) =>
      scope.selectFrom('tenant_probes').select('body').execute(),
    );
    assert.deepEqual(
      rowsB.map((r) => r.body),
      ['b1'],
    );
  });

  it('shows nothing outside a practice transaction', async () => {
    const rows = await database.db.selectFrom('tenant_probes').selectAll().execute();
    assert.deepEqual(rows, []);
  });

  it('does not leak the practice setting into the next transaction', async () => {
    await withPractice(database.db, A, async () => undefined);
    const rows = await database.db.selectFrom('tenant_probes').selectAll().execute();
    assert.deepEqual(rows, []);
  });

  it('runs requests as the non-superuser application role', async () => {
    const { rows } = await sql<{ role: string; superuser: boolean }>`
      select current_user as role, rolsuper as superuser from pg_roles where rolname = current_user`.execute(
      database.db,
    );
    assert.deepEqual(rows, [{ role: 'tresor_app', superuser: false }]);
  });

  it('applies row-level security even when the session role was changed behind its back', async () => {
    await database.db.connection().execute(async (connection) => {
      await sql`reset role`.execute(connection);
      try {
        const rows = await withPractice(connection, A, (scope) =>
          scope.selectFrom('tenant_probes').select('body').execute(),
        );
        assert.deepEqual(rows.map((r) => r.body).sort(), ['a1', 'a2']);
      } finally {
        await sql`set role tresor_app`.execute(connection);
      }
    });
  });

  it('refuses a practice id that is not a UUID before touching the database', async () => {
    await assert.rejects(
      withPractice(database.db, "x' or '1'='1", async () => undefined),
      TypeError,
    );
  });
});
