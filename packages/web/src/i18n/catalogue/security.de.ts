/** German: passkeys, second-factor retries, trusting a granter's new practice key. */
export const securityMessagesDe = {
  'passkeys.title': 'Passkeys',
  'passkeys.explain':
    'Ein Passkey ersetzt bei der Anmeldung den sechsstelligen Code: Ihr Gerät (Fingerabdruck, Gesichtserkennung, PIN oder Sicherheitsschlüssel) bestätigt Sie. Das Passwort bleibt trotzdem nötig.',
  'passkeys.none': 'Noch keine Passkeys eingerichtet.',
  'passkeys.listLabel': 'Ihre Passkeys',
  'passkeys.created': 'Eingerichtet am {when}',
  'passkeys.lastUsed': 'zuletzt verwendet am {when}',
  'passkeys.neverUsed': 'noch nicht verwendet',
  'passkeys.name': 'Name des Passkeys',
  'passkeys.nameHint': 'Damit Sie ihn später wiedererkennen, z. B. „Praxis-PC Empfang“.',
  'passkeys.add': 'Passkey hinzufügen',
  'passkeys.added': 'Passkey „{name}“ wurde eingerichtet.',
  'passkeys.remove': 'Entfernen',
  'passkeys.removeQuestion':
    'Passkey „{name}“ entfernen? Danach ist er bei der Anmeldung nicht mehr nutzbar.',
  'passkeys.removeConfirm': 'Passkey entfernen',
  'passkeys.unsupported': 'Dieser Browser unterstützt keine Passkeys.',

  'login.usePasskey': 'Passkey verwenden',
  'login.passkeyOr': 'Oder bestätigen Sie die Anmeldung mit einem Ihrer Passkeys.',
  'login.retryTotp': 'Der Code war falsch oder schon verwendet. Bitte den nächsten Code eingeben.',
  'login.retryPasskey':
    'Der Passkey konnte nicht geprüft werden. Bitte erneut versuchen oder den Code eingeben.',
  'error.passkeyCancelled': 'Der Passkey wurde nicht verwendet (abgebrochen oder abgelaufen).',
  'error.passkeyAlreadyRegistered': 'Auf diesem Gerät ist bereits ein Passkey für Sie eingerichtet.',
  'error.passkeyFailed': 'Der Passkey konnte auf diesem Gerät nicht verwendet werden.',
  'trust.bannerTitle': 'Neuer Praxisschlüssel von {name} – Fingerabdruck vergleichen',
  'trust.bannerExplain':
    '{name} hat Ihnen einen Praxisschlüssel übergeben. Diesem Hauptbenutzer vertrauen Sie noch nicht; bis Sie den Fingerabdruck verglichen haben, bleibt der Schlüssel gesperrt und neuere Akten sind nicht lesbar.',
  'trust.compare': 'Fingerabdruck vergleichen',
  'trust.dialogTitle': 'Fingerabdruck von {name} vergleichen',
  'trust.dialogExplain':
    'Bitten Sie {name}, unter „Benutzer“ den eigenen Fingerabdruck (Eintrag „Sie“) zu öffnen, und vergleichen Sie ihn Ziffer für Ziffer mit diesem – nebeneinander oder am Telefon, nicht per E-Mail:',
  'trust.dialogWarning':
    'Stimmen die Ziffern nicht überein, brechen Sie ab: Dann stammt der Schlüssel nicht von {name}, und Sie sollten den Vorfall melden.',
  'trust.matches': 'Die Fingerabdrücke stimmen überein.',
  'trust.confirm': 'Vertrauen und Schlüssel entsperren',
  'handOver.unlocking': 'Der Praxisschlüssel ist da und wird entsperrt …',
} as const satisfies Record<string, string>;
