import { accountMessagesEn } from './catalogue/account.en';
import { adminMessagesEn } from './catalogue/admin.en';
import { backupMessagesEn } from './catalogue/backup.en';
import { patientMessagesEn } from './catalogue/patients.en';
import { securityMessagesEn } from './catalogue/security.en';
import type { Messages } from './messages.de';

/** English messages; `satisfies Messages` rejects missing keys, each part's own check extra ones. */
export const messagesEn = {
  ...accountMessagesEn,
  ...adminMessagesEn,
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
  'error.serverUnavailable': 'The server is not ready yet. Please try again in a moment.',
  'error.serverInternal': 'An unexpected error occurred on the server.',
  'error.rateLimited': 'Too many requests. Please wait a moment.',
  'error.generic': 'Something went wrong. Please try again.',
} as const satisfies Messages;
