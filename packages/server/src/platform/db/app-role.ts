/**
 * The database role every request runs as. It is not a superuser and does not own the tables,
 * so row-level security applies to it; migrations run as the connecting (owner) role.
 */
export const APP_ROLE = 'tresor_app';

/** The transaction-local setting that row-level security policies compare `practice_id` with. */
export const PRACTICE_SETTING = 'tresor.practice_id';
