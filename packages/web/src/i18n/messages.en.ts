import { accountMessagesEn } from './catalogue/account.en';
import { adminMessagesEn } from './catalogue/admin.en';
import { auditMessagesEn } from './catalogue/audit.en';
import { backupMessagesEn } from './catalogue/backup.en';
import { patientMessagesEn } from './catalogue/patients.en';
import { securityMessagesEn } from './catalogue/security.en';
import type { Messages } from './messages.de';

/** English messages; `satisfies Messages` rejects missing keys, each part's own check extra ones. */
export const messagesEn = {
  ...accountMessagesEn,
  ...adminMessagesEn,
  ...auditMessagesEn,
  ...backupMessagesEn,
  ...patientMessagesEn,
  ...securityMessagesEn,

  'app.skipToContent': 'Skip to content',
  'app.tagline': 'Zero-knowledge platform for medical practices',
  'app.description':
    'Tresor is a zero-knowledge platform for medical practices in Germany. All data is encrypted on your device before it leaves it. The server stores nothing but ciphertext and cannot read the contents.',
  'app.footerNote': 'Encrypted on your device – the server only ever sees ciphertext.',
  'app.apiDocs': 'API documentation',

  'language.label': 'Language',

  'status.heading': 'Server status',
  'status.checking': 'Checking the connection to the server …',
  'status.ready': 'Operational',
  'status.readyDetail': 'The server responds and the database is up to date.',
  'status.notReady': 'Not ready',
  'status.notReadyDetail': 'The server responds but is not ready for use yet.',
  'status.unreachable': 'Unreachable',
  'status.failed': 'Malfunction',
  'status.detailsLabel': 'Server details',
  'status.name': 'Name',
  'status.version': 'Version',
  'status.storage': 'Storage',
  'status.schemaVersion': 'Database schema',
  'status.health': 'Reachability',
  'status.healthOk': 'Responding',
  'status.database': 'Database',
  'status.databaseOk': 'Connected',
  'status.databaseUnreachable': 'Unreachable',
  'status.migrations': 'Migrations',
  'status.migrationsCurrent': 'Up to date',
  'status.migrationsPending': 'Pending',
  'status.storageEmbedded': 'Embedded (PGlite)',
  'status.storagePostgresql': 'PostgreSQL',
  'status.infoUnavailable': 'The server’s name and version cannot be retrieved right now: {message}',
  'status.checkedAt': 'Last checked at {time}',
  'status.refresh': 'Check again',
  'status.retry': 'Try again',
  'status.busy': 'Checking …',
  'status.requestId': 'Request ID: {id}',

  'error.network': 'The server cannot be reached. Please check your network connection and try again.',
  'error.unexpectedResponse':
    'The server gave an unexpected answer. The app and the server may not match – please reload the page.',
  'error.rollback':
    "The server returned an older state (an older version of a record, or fewer entries, documents or patients) than this device already saw. It was not shown. Please report this to your practice's IT.",
  'error.serverUnavailable': 'The server is not ready yet. Please try again in a moment.',
  'error.serverInternal': 'An unexpected error occurred on the server.',
  'error.rateLimited': 'Too many requests. Please wait a moment.',
  'error.generic': 'Something went wrong. Please try again.',
  'error.decryption':
    'The data could not be decrypted on this device (wrong key or damaged data). Contact a primary user if this happens again.',
  'error.keyVersionLocked':
    'This data is encrypted under version {version} of the practice key, which is not unlocked on this device yet. It becomes readable once you trust the colleague who handed it over (notice at the top of the page) or a primary user hands you this version.',
  'error.keyVersionNotGranted':
    'Version {version} of the practice key has not reached this device, although it is known here (this device used it before, or the server names it): data under it cannot be opened, and nothing is saved under an older key. The server may have been restored from an older backup, or it is withholding the key. Please tell a primary user: they can hand the key over to you again.',
  'error.sessionLocked': 'The session is locked: the keys were removed from memory. Please sign in again.',
  'error.invalidInput': 'The input is invalid and was not saved. Please check the fields.',
  'error.fileChanged':
    'The file has changed (its size is no longer the expected one). Please choose it again.',

  'crash.title': 'Something went wrong',
  'crash.intro':
    'The app ran into an unexpected error. Reload the page. You will then sign in again; input that was not saved is lost.',
  'crash.reload': 'Reload page',
  'crash.home': 'Go to the start page',
} as const satisfies Messages;
