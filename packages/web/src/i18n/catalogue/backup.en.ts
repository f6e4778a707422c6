import type { backupMessagesDe } from './backup.de';

/** English: cloud backup credentials (primary users). */
export const backupMessagesEn = {
  'nav.backup': 'Backup',

  'backup.title': 'Backup',
  'backup.intro':
    'Access tokens for the practice’s encrypted cloud backup. The tresor-backup program signs in to the server with them; the server only sees encrypted blocks.',
  'backup.usageTitle': 'Usage',
  'backup.usageUsed': 'Used',
  'backup.usageOf': '{used} of {quota}',
  'backup.usageObjects': 'Stored objects',
  'backup.usageLock': 'Lock period',
  'backup.usageLockDays': '{days} days',
  'backup.usageLockExplain':
    'Nobody can delete or overwrite uploaded data during the lock period – not even an attacker with a stolen token.',
  'backup.kindsTitle': 'Which token for what?',
  'backup.kindAgent': 'Backup program',
  'backup.kindAgentExplain':
    'For the practice PC that runs tresor-backup: may add and read backups, but cannot delete anything.',
  'backup.kindRetention': 'Clean-up',
  'backup.kindRetentionExplain':
    'Keep it away from the practice PC (e.g. with your IT provider): may also delete old backups once their lock period has passed.',
  'backup.listTitle': 'Access tokens',
  'backup.listLabel': 'The practice’s access tokens',
  'backup.none': 'No access tokens yet.',
  'backup.created': 'Created {when}',
  'backup.revokedAt': 'Revoked {when}',
  'backup.active': 'Active',
  'backup.revoked': 'Revoked',
  'backup.revoke': 'Revoke',
  'backup.revokeQuestion': 'Revoke the access token “{name}” now? Programs using it will be refused at once.',
  'backup.revokeConfirm': 'Revoke access token',
  'backup.createTitle': 'Create an access token',
  'backup.name': 'Name',
  'backup.nameHint': 'E.g. the computer it will be used on.',
  'backup.kind': 'Kind',
  'backup.create': 'Create access token',
  'backup.tokenTitle': 'Access token “{name}”',
  'backup.tokenWarning':
    'This token is shown only now and cannot be retrieved later. Copy it now and keep it safe.',
  'backup.token': 'Access token',
  'backup.command': 'Command for tresor-backup',
  'backup.copy': 'Copy',
  'backup.copyCommand': 'Copy command',
  'backup.copied': 'Copied',
  'backup.tokenDone': 'Saved – hide it',
} as const satisfies Readonly<Record<keyof typeof backupMessagesDe, string>>;
