/** German: creating a practice, signing in, joining by invite, the session. */
export const accountMessagesDe = {
  'common.cancel': 'Abbrechen',
  'common.save': 'Speichern',
  'common.loading': 'Wird geladen …',
  'common.refresh': 'Aktualisieren',
  'common.actions': 'Aktionen',
  'common.fingerprint': 'Fingerabdruck',

  'home.signIn': 'Anmelden',
  'home.createPractice': 'Praxis anlegen',

  'form.username': 'Anmeldename',
  'form.usernameHint': 'Mindestens 3 Zeichen: Kleinbuchstaben, Ziffern und . _ @ -',
  'form.usernameInvalid': 'Bitte einen Anmeldenamen aus mindestens 3 Zeichen (a–z, 0–9, . _ @ -) wählen.',
  'form.password': 'Passwort',
  'form.passwordHint': 'Mindestens {min} Zeichen. Eine Passphrase aus mehreren Wörtern ist gut zu merken.',
  'form.passwordRepeat': 'Passwort wiederholen',
  'form.passwordTooShort': 'Das Passwort ist zu kurz.',
  'form.passwordMismatch': 'Die beiden Passwörter stimmen nicht überein.',
  'form.required': 'Bitte ausfüllen.',

  'createPractice.title': 'Praxis anlegen',
  'createPractice.intro':
    'Praxisschlüssel, Ihr Benutzerschlüssel und ein Wiederherstellungscode werden jetzt auf diesem Gerät erzeugt. Der Server erhält nur verschlüsselte Schlüssel.',
  'createPractice.practiceName': 'Name der Praxis',
  'createPractice.submit': 'Praxis anlegen',
  'createPractice.creating': 'Schlüssel werden erzeugt …',
  'createPractice.createdTitle': 'Praxis angelegt',
  'createPractice.createdIntro': 'Bewahren Sie jetzt Ihren Wiederherstellungscode sicher auf.',

  'recovery.heading': 'Ihr Wiederherstellungscode',
  'recovery.explain':
    'Mit diesem Code kommen Sie wieder an Ihre Daten, falls Sie Ihr Passwort vergessen. Er wird nur dieses eine Mal angezeigt und nie an den Server gesendet.',
  'recovery.practice': 'Praxis',
  'recovery.username': 'Anmeldename',
  'recovery.codeLabel': 'Wiederherstellungscode in Vierergruppen',
  'recovery.warning':
    'Drucken Sie ihn aus oder schreiben Sie ihn ab und verwahren Sie ihn verschlossen. Ohne Passwort und ohne diesen Code sind die Daten nicht wiederherstellbar.',
  'recovery.print': 'Notfallblatt drucken',
  'recovery.confirmStored': 'Ich habe den Wiederherstellungscode sicher aufbewahrt.',
  'recovery.continue': 'Weiter',
  'recovery.leaveQuestion':
    'Der Wiederherstellungscode wird nur jetzt angezeigt und ist danach nicht mehr abrufbar. Seite trotzdem verlassen?',

  'login.title': 'Anmelden',
  'login.unlockTitle': 'Entsperren',
  'login.intro':
    'Ihr Passwort verlässt dieses Gerät nicht (OPAQUE); danach folgen Einmalcode und Geräteprüfung.',
  'login.submit': 'Anmelden',
  'login.working': 'Anmeldung läuft …',
  'login.noPractice': 'Noch keine Praxis?',
  'login.createPractice': 'Praxis anlegen',
  'login.forgotPassword': 'Passwort vergessen?',
  'login.useRecoveryCode': 'Mit Wiederherstellungscode anmelden',
  'login.enrolTitle': 'Zwei-Faktor-Anmeldung einrichten',
  'login.enrolExplain':
    'Scannen Sie den QR-Code mit einer Authenticator-App (z. B. FreeOTP, Google Authenticator) oder geben Sie den Schlüssel von Hand ein. Er wird nur jetzt angezeigt.',
  'login.qrLabel': 'QR-Code für die Authenticator-App',
  'login.enrolSecretLabel': 'Schlüssel zur Eingabe von Hand:',
  'login.codeTitle': 'Einmalcode eingeben',
  'login.code': 'Sechsstelliger Code',
  'login.codeHint': 'Der Code aus Ihrer Authenticator-App; er wechselt alle 30 Sekunden.',
  'login.codeInvalidFormat': 'Bitte die sechs Ziffern des Codes eingeben.',
  'login.confirmCode': 'Bestätigen',
  'login.pendingTitle': 'Gerät wartet auf Freigabe',
  'login.pendingExplain':
    'Dieses Gerät („{device}“) ist neu. Bitten Sie eine Kollegin oder einen Kollegen mit Hauptbenutzer-Rolle – oder sich selbst auf einem bereits freigegebenen Gerät – es unter „Geräte“ freizugeben. Vergleichen Sie dabei diesen Fingerabdruck:',
  'login.pendingNext': 'Nach der Freigabe melden Sie sich hier erneut an.',
  'login.pendingRetry': 'Erneut anmelden',

  'recoverAccount.title': 'Zugang wiederherstellen',
  'recoverAccount.intro':
    'Mit dem Wiederherstellungscode von Ihrem Notfallblatt setzen Sie ein neues Passwort; Ihre Daten bleiben erhalten. Der Code verlässt dieses Gerät nicht: Er entschlüsselt Ihren Benutzerschlüssel hier und wird dem Server nur durch eine Signatur nachgewiesen.',
  'recoverAccount.code': 'Wiederherstellungscode',
  'recoverAccount.codeHint':
    '32 Zeichen in acht Vierergruppen, wie auf Ihrem Notfallblatt. Bindestriche, Leerzeichen sowie Groß- und Kleinschreibung spielen keine Rolle.',
  'recoverAccount.codeInvalidFormat': 'Ein Wiederherstellungscode besteht aus 32 Buchstaben und Ziffern.',
  'recoverAccount.newPassword': 'Neues Passwort',
  'recoverAccount.submit': 'Neues Passwort setzen',
  'recoverAccount.working': 'Zugang wird wiederhergestellt …',
  'recoverAccount.failed':
    'Anmeldename oder Wiederherstellungscode ist falsch. Es wurde nichts geändert; bitte prüfen Sie beide Angaben.',
  'recoverAccount.remembered': 'Passwort doch noch gewusst?',
  'recoverAccount.signIn': 'Zur Anmeldung',
  'recoverAccount.doneTitle': 'Neues Passwort gesetzt',
  'recoverAccount.doneIntro': 'Ihr Zugang ist wiederhergestellt.',
  'recoverAccount.doneSessions':
    'Alle Ihre Sitzungen wurden beendet, auch auf anderen Geräten. Das alte Passwort gilt nicht mehr.',
  'recoverAccount.doneNext':
    'Melden Sie sich jetzt mit dem neuen Passwort an. Danach folgen wie gewohnt die Zwei-Faktor-Anmeldung (Einmalcode oder Passkey; beim ersten Mal richten Sie sie ein) und, auf einem neuen Gerät, dessen Freigabe.',
  'recoverAccount.doneCodeKept':
    'Ihr Wiederherstellungscode bleibt gültig. Bewahren Sie das Notfallblatt weiter sicher auf.',

  'invite.title': 'Einladung annehmen',
  'invite.intro':
    'Wählen Sie Ihren Anmeldenamen und Ihr Passwort. Ihre Schlüssel entstehen auf diesem Gerät; den Praxisschlüssel übergibt Ihnen danach die einladende Person.',
  'invite.submit': 'Konto anlegen',
  'invite.joining': 'Schlüssel werden erzeugt …',
  'invite.joinedTitle': 'Konto angelegt',
  'invite.joinedIntro': 'Bewahren Sie jetzt Ihren Wiederherstellungscode sicher auf.',
  'invite.practiceUnnamed': 'Praxis laut Einladung',
  'invite.compareTitle': 'Fingerabdruck vergleichen',
  'invite.fingerprintTitle': 'Ihr Fingerabdruck',
  'invite.fingerprintExplain':
    'Die einladende Person sieht auf ihrem Bildschirm einen Fingerabdruck für Sie. Vergleichen Sie beide Ziffernfolgen gemeinsam (nebeneinander oder am Telefon). Nur wenn sie übereinstimmen, übergibt sie Ihnen den Praxisschlüssel.',
  'invite.waitForGrant':
    'Melden Sie sich an (beim ersten Mal richten Sie die Zwei-Faktor-Anmeldung ein). Sobald die Übergabe bestätigt ist, wird der Praxisschlüssel ohne erneute Anmeldung entsperrt.',
  'invite.signIn': 'Zur Anmeldung',
  'invite.pinsNotSaved':
    'Der Schlüssel der einladenden Person ließ sich auf diesem Gerät nicht speichern; Ihr Konto ist trotzdem angelegt. Bei der Übergabe des Praxisschlüssels fragt Tresor deshalb, ob Sie der übergebenden Person vertrauen: Vergleichen Sie dann den Fingerabdruck gemeinsam mit ihr.',

  'handOver.waitingTitle': 'Warten auf den Praxisschlüssel',
  'handOver.waitingIntro':
    'Sie sind angemeldet, haben den Praxisschlüssel aber noch nicht erhalten. Ein Hauptbenutzer übergibt ihn, nachdem Sie beide den Fingerabdruck verglichen haben.',

  'session.expiredNotice': 'Ihre Sitzung ist abgelaufen oder wurde beendet. Bitte melden Sie sich erneut an.',
  'session.lockedIdle':
    'Nach 10 Minuten ohne Eingabe gesperrt: Die Schlüssel wurden aus dem Speicher entfernt. Zum Entsperren erneut anmelden.',
  'session.lockedManually':
    'Gesperrt: Die Schlüssel wurden aus dem Speicher entfernt. Zum Entsperren erneut anmelden.',
  'session.signedOut': 'Sie wurden abgemeldet.',
  'session.endedTitle': 'Nicht gespeichert: Ihre Sitzung wurde beendet.',
  'session.endedInputKept':
    'Der Server hat Ihre Sitzung beendet (z. B. nach längerer Zeit ohne Verbindung zum Server). Ihre Eingaben stehen noch hier. Kopieren Sie sie bei Bedarf, bevor Sie sich neu anmelden – danach ist das Formular leer.',
  'session.endedCopy': 'Eingaben kopieren',
  'session.endedCopied': 'Kopiert',
  'session.endedCopyFailed': 'Kopieren war nicht möglich. Bitte markieren und kopieren Sie den Text selbst.',
  'session.endedSignIn': 'Neu anmelden',
  'session.leaveUnsaved':
    'Ihre Eingaben sind nicht gespeichert und gehen verloren, wenn Sie diese Seite verlassen. Trotzdem verlassen?',

  'nav.label': 'Hauptnavigation',
  'nav.patients': 'Patienten',
  'nav.users': 'Benutzer',
  'nav.devices': 'Geräte',
  'nav.sessions': 'Sitzungen',
  'nav.audit': 'Protokoll',
  'nav.alarms': 'Alarme',
  'nav.settings': 'Einstellungen',
  'nav.lock': 'Sperren',
  'nav.signOut': 'Abmelden',

  'role.primary': 'Hauptbenutzer',
  'role.secondary': 'Mitarbeiter',

  'notFound.title': 'Seite nicht gefunden',
  'notFound.intro': 'Diese Adresse gibt es in Tresor nicht.',
  'notFound.home': 'Zur Startseite',

  'error.grantUntrusted':
    'Die Schlüsselübergabe stammt nicht von einer Person, der dieses Gerät vertraut. Aus Sicherheitsgründen wurde die Anmeldung beendet. Bitte wenden Sie sich an den Hauptbenutzer, der Sie eingeladen hat.',
  'error.storageQuota': 'Der Speicher dieses Browsers ist voll. Bitte Platz schaffen und erneut versuchen.',
  'error.aborted': 'Abgebrochen.',
} as const satisfies Record<string, string>;
