import type { Migration } from 'kysely';
import * as platform from './20261123190000-platform.js';
import * as accounts from './20261123200000-accounts.js';
import * as audit from './20261123200100-audit.js';
import * as loginReads from './20261123220000-login-reads.js';
import * as passkeys from './20261123230000-passkeys.js';
import * as trustedGranters from './20261123233000-trusted-granters.js';
import * as records from './20261124090000-records.js';
import * as backupRepo from './20261124100000-backup-repo.js';
import * as sessionCheck from './20261204170000-session-check.js';
import * as blindIndexLookup from './20261204171000-blind-index-lookup.js';
import * as backupRetentionLock from './20261205170000-backup-retention-lock.js';
import * as backupForgottenSnapshots from './20261206020000-backup-forgotten-snapshots.js';
import * as blobDamage from './20261207190000-blob-damage.js';

/** Every migration, by timestamped name; they run in name order. Append, never edit. */
export const migrations: Readonly<Record<string, Migration>> = {
  '20261123190000-platform': platform,
  '20261123200000-accounts': accounts,
  '20261123200100-audit': audit,
  '20261123220000-login-reads': loginReads,
  '20261123230000-passkeys': passkeys,
  '20261123233000-trusted-granters': trustedGranters,
  '20261124090000-records': records,
  '20261124100000-backup-repo': backupRepo,
  '20261204170000-session-check': sessionCheck,
  '20261204171000-blind-index-lookup': blindIndexLookup,
  '20261205170000-backup-retention-lock': backupRetentionLock,
  '20261206020000-backup-forgotten-snapshots': backupForgottenSnapshots,
  '20261207190000-blob-damage': blobDamage,
};
