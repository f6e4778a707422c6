import type { Kysely, Selectable } from 'kysely';
import type { Schema, TenantProbeTable } from '../../platform/db/schema.js';
import { withPractice } from '../../platform/db/tenant.js';
import type { Probe, ProbeStore } from './diagnostics.store.js';

/** Note: no query filters by practice itself; row-level security does (that is the point). */
export class PgProbeStore implements ProbeStore {
  constructor(private readonly db: Kysely<Schema>) {}

  create(practiceId: string, body: string): Promise<Probe> {
    return withPractice(this.db, practiceId, async (scope) =>
      toProbe(
        await scope
          .insertInto('tenant_probes')
          .values({ practice_id: practiceId, body })
          .returningAll()
          .executeTakeFirstOrThrow(),
      ),
    );
  }

  find(practiceId: string, id: string): Promise<Probe | undefined> {
    return withPractice(this.db, practiceId, async (scope) => {
      const row = await scope.selectFrom('tenant_probes').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toProbe(row);
    });
  }

  list(practiceId: string, limit: number): Promise<Probe[]> {
    return withPractice(this.db, practiceId, async (scope) => {
      const rows = await scope
        .selectFrom('tenant_probes')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toProbe);
    });
  }
}

function toProbe(row: Selectable<TenantProbeTable>): Probe {
  return { id: row.id, practiceId: row.practice_id, body: row.body, createdAt: row.created_at };
}
