import type { Generated } from 'kysely';

/**
 * Row types of every table, as the migrations in `src/migrations` create them.
 * Tables owned by a practice carry `practice_id` and are guarded by row-level security.
 */
export interface Schema {
  tenant_probes: TenantProbeTable;
}

export interface TenantProbeTable {
  id: Generated<string>;
  practice_id: string;
  body: string;
  created_at: Generated<Date>;
}
