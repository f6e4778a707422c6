import { type Kysely, type Transaction, sql } from 'kysely';
import { APP_ROLE, PRACTICE_SETTING } from './app-role.js';
import type { Schema } from './schema.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type PracticeScope = Transaction<Schema>;

/**
 * Runs one unit of work in a transaction bound to one practice. Row-level security policies
 * compare every practice-owned row with the practice set here, so a query inside `work` can
 * neither read nor write another practice's rows, whatever its WHERE clause says.
 */
export async function withPractice<T>(
  db: Kysely<Schema>,
  practiceId: string,
  work: (scope: PracticeScope) => Promise<T>,
): Promise<T> {
  if (!UUID.test(practiceId)) throw new TypeError('withPractice: practiceId must be a lowercase UUID');
  return db.transaction().execute(async (trx) => {
    // The role is set per transaction too, so row-level security holds even if something changed
    // the session's role (defence in depth; the session is already the application role).
    await sql`select set_config('role', ${APP_ROLE}, true), set_config(${PRACTICE_SETTING}, ${practiceId}, true)`.execute(
      trx,
    );
    return work(trx);
  });
}
