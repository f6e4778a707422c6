import { accountMessagesDe } from './catalogue/account.de';
import { adminMessagesDe } from './catalogue/admin.de';
import { auditMessagesDe } from './catalogue/audit.de';
import { backupMessagesDe } from './catalogue/backup.de';
import { patientMessagesDe } from './catalogue/patients.de';
import { securityMessagesDe } from './catalogue/security.de';

/** German messages, the reference catalogue: every other language must provide exactly these keys. */
export const messagesDe = {
  ...accountMessagesDe,
  ...adminMessagesDe,
  ...auditMessagesDe,
  ...backupMessagesDe,
  ...patientMessagesDe,
  ...securityMessagesDe,

  'app.skipToContent': 'Zum Inhalt springen',
  'app.tagline': 'Zero-Knowledge-Plattform für Arztpraxen',
  'app.description':
    'Tresor ist eine Zero-Knowledge-Plattform für Arztpraxen in Deutschland. Alle Daten werden auf Ihrem Gerät verschlüsselt, bevor sie es verlassen. Der Server speichert ausschließlich Chiffretext und kann die Inhalte nicht lesen.',
  'app.footerNote': 'Verschlüsselt auf Ihrem Gerät – der Server sieht nur Chiffretext.',
  'app.apiDocs': 'API-Dokumentation',

  'language.label': 'Sprache',

  'status.heading': 'Serverstatus',
  'status.checking': 'Verbindung zum Server wird geprüft …',
  'status.ready': 'Betriebsbereit',
  'status.readyDetail': 'Der Server antwortet und die Datenbank ist auf dem aktuellen Stand.',
  'status.notReady': 'Nicht bereit',
  'status.notReadyDetail': 'Der Server antwortet, ist aber noch nicht einsatzbereit.',
  'status.unreachable': 'Nicht erreichbar',
  'status.failed': 'Störung',
  'status.detailsLabel': 'Details zum Server',
  'status.name': 'Name',
  'status.version': 'Version',
  'status.storage': 'Speicher',
  'status.schemaVersion': 'Datenbankschema',
  'status.health': 'Erreichbarkeit',
  'status.healthOk': 'Antwortet',
  'status.database': 'Datenbank',
  'status.databaseOk': 'Verbunden',
  'status.databaseUnreachable': 'Nicht erreichbar',
  'status.migrations': 'Migrationen',
  'status.migrationsCurrent': 'Aktuell',
  'status.migrationsPending': 'Ausstehend',
  'status.storageEmbedded': 'Eingebettet (PGlite)',
  'status.storagePostgresql': 'PostgreSQL',
  'status.infoUnavailable': 'Name und Version des Servers sind gerade nicht abrufbar: {message}',
  'status.checkedAt': 'Zuletzt geprüft um {time} Uhr',
  'status.refresh': 'Erneut prüfen',
  'status.retry': 'Erneut versuchen',
  'status.busy': 'Wird geprüft …',
  'status.requestId': 'Anfrage-ID: {id}',

  'error.network':
    'Der Server ist nicht erreichbar. Bitte prüfen Sie Ihre Netzwerkverbindung und versuchen Sie es erneut.',
  'error.unexpectedResponse':
    'Der Server hat unerwartet geantwortet. Möglicherweise passen App und Server nicht zusammen – bitte laden Sie die Seite neu.',
  'error.rollback':
    'Der Server hat einen älteren Stand geliefert (eine ältere Fassung einer Akte oder weniger Einträge, Dokumente oder Patienten), als dieses Gerät schon gesehen hat. Er wurde nicht angezeigt. Bitte melden Sie dies Ihrer Praxis-IT.',
  'error.serverUnavailable': 'Der Server ist noch nicht bereit. Bitte versuchen Sie es gleich noch einmal.',
  'error.serverInternal': 'Auf dem Server ist ein unerwarteter Fehler aufgetreten.',
  'error.rateLimited': 'Zu viele Anfragen. Bitte warten Sie einen Moment.',
  'error.generic': 'Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.',
  'error.decryption':
    'Die Daten ließen sich auf diesem Gerät nicht entschlüsseln (falscher Schlüssel oder beschädigte Daten). Wenden Sie sich an einen Hauptbenutzer, wenn das wieder vorkommt.',
  'error.keyVersionLocked':
    'Diese Daten sind mit Version {version} des Praxisschlüssels verschlüsselt, die auf diesem Gerät noch nicht entsperrt ist. Lesbar werden sie, sobald Sie der übergebenden Person vertrauen (Hinweis oben auf der Seite) oder ein Hauptbenutzer Ihnen diese Version übergibt.',
  'error.keyVersionNotGranted':
    'Version {version} des Praxisschlüssels hat dieses Gerät nicht erreicht, obwohl sie bekannt ist (dieses Gerät hat sie schon benutzt, oder der Server nennt sie): Daten darunter lassen sich nicht öffnen, und unter einem älteren Schlüssel wird nichts gespeichert. Möglicherweise wurde der Server aus einer älteren Sicherung wiederhergestellt oder hält den Schlüssel zurück. Bitte informieren Sie einen Hauptbenutzer: Er kann Ihnen den Schlüssel erneut übergeben.',
  'error.sessionLocked':
    'Die Sitzung ist gesperrt: Die Schlüssel wurden aus dem Speicher entfernt. Bitte melden Sie sich erneut an.',
  'error.invalidInput': 'Die Eingabe ist ungültig und wurde nicht gespeichert. Bitte prüfen Sie die Felder.',
  'error.fileChanged':
    'Die Datei hat sich verändert (ihre Größe ist nicht mehr die erwartete). Bitte wählen Sie sie erneut aus.',

  'crash.title': 'Etwas ist schiefgelaufen',
  'crash.intro':
    'Die Anzeige ist auf einen unerwarteten Fehler gestoßen. Laden Sie die Seite neu. Danach melden Sie sich erneut an; nicht gespeicherte Eingaben gehen dabei verloren.',
  'crash.reload': 'Seite neu laden',
  'crash.home': 'Zur Startseite',
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof messagesDe;

/** A complete message catalogue: exactly the German keys, any wording. */
export type Messages = Readonly<Record<MessageKey, string>>;
