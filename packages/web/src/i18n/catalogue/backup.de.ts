/** German: cloud backup credentials (primary users). */
export const backupMessagesDe = {
  'nav.backup': 'Datensicherung',

  'backup.title': 'Datensicherung',
  'backup.intro':
    'Zugangsschlüssel für die verschlüsselte Cloud-Sicherung der Praxis. Das Programm tresor-backup meldet sich damit beim Server an; der Server sieht nur verschlüsselte Blöcke.',
  'backup.usageTitle': 'Belegung',
  'backup.usageUsed': 'Belegt',
  'backup.usageOf': '{used} von {quota}',
  'backup.usageObjects': 'Gespeicherte Objekte',
  'backup.usageLock': 'Sperrfrist',
  'backup.usageLockDays': '{days} Tage',
  'backup.usageLockExplain':
    'Hochgeladene Daten kann während der Sperrfrist niemand löschen oder überschreiben – auch kein Angreifer mit einem gestohlenen Schlüssel.',
  'backup.kindsTitle': 'Welcher Schlüssel wofür?',
  'backup.kindAgent': 'Sicherungsprogramm',
  'backup.kindAgentExplain':
    'Für den Praxis-PC, auf dem tresor-backup läuft: darf Sicherungen hinzufügen und lesen, aber nichts löschen.',
  'backup.kindRetention': 'Aufräumen',
  'backup.kindRetentionExplain':
    'Getrennt vom Praxis-PC aufbewahren (z. B. beim IT-Dienstleister): darf zusätzlich alte Sicherungen löschen, sobald deren Sperrfrist abgelaufen ist.',
  'backup.listTitle': 'Zugangsschlüssel',
  'backup.listLabel': 'Zugangsschlüssel der Praxis',
  'backup.none': 'Noch keine Zugangsschlüssel angelegt.',
  'backup.created': 'Angelegt am {when}',
  'backup.revokedAt': 'Widerrufen am {when}',
  'backup.active': 'Aktiv',
  'backup.revoked': 'Widerrufen',
  'backup.revoke': 'Widerrufen',
  'backup.revokeQuestion':
    'Zugangsschlüssel „{name}“ jetzt widerrufen? Programme, die ihn verwenden, werden sofort abgewiesen.',
  'backup.revokeConfirm': 'Zugangsschlüssel widerrufen',
  'backup.createTitle': 'Neuen Zugangsschlüssel anlegen',
  'backup.name': 'Bezeichnung',
  'backup.nameHint': 'Z. B. der Rechner, auf dem er verwendet wird.',
  'backup.kind': 'Art',
  'backup.create': 'Zugangsschlüssel anlegen',
  'backup.tokenTitle': 'Zugangsschlüssel „{name}“',
  'backup.tokenWarning':
    'Dieser Schlüssel wird nur jetzt angezeigt und kann später nicht erneut abgerufen werden. Kopieren Sie ihn jetzt und bewahren Sie ihn sicher auf.',
  'backup.token': 'Zugangsschlüssel',
  'backup.command': 'Befehl für tresor-backup',
  'backup.copy': 'Kopieren',
  'backup.copyCommand': 'Befehl kopieren',
  'backup.copied': 'Kopiert',
  'backup.tokenDone': 'Gespeichert – ausblenden',
} as const satisfies Record<string, string>;
