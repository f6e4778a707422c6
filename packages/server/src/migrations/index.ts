import type { Migration } from 'kysely';
import * as platform from './20261123190000-platform.js';

/** Every migration, by timestamped name; they run in name order. Append, never edit. */
export const migrations: Readonly<Record<string, Migration>> = {
  '20261123190000-platform': platform,
};
