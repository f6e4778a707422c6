/**
 * Every error the Tresor API can answer with: a stable code, its HTTP status and a
 * human message in German and English. Server and clients share this table.
 */
export const errorCatalog = {
  'request.invalid_json': {
    status: 400,
    en: 'The request body is not valid JSON.',
    de: 'Der Inhalt der Anfrage ist kein gültiges JSON.',
  },
  'request.invalid': {
    status: 400,
    en: 'The request does not match the expected format.',
    de: 'Die Anfrage hat nicht das erwartete Format.',
  },
  'request.unsupported_media_type': {
    status: 415,
    en: 'This content type is not supported.',
    de: 'Dieser Inhaltstyp wird nicht unterstützt.',
  },
  'request.too_large': {
    status: 413,
    en: 'The request body is too large.',
    de: 'Der Inhalt der Anfrage ist zu groß.',
  },
  'request.range_not_satisfiable': {
    status: 416,
    en: 'The requested byte range lies outside the stored object.',
    de: 'Der angeforderte Bytebereich liegt außerhalb des gespeicherten Objekts.',
  },
  'request.not_found': {
    status: 404,
    en: 'There is no such endpoint.',
    de: 'Diesen Endpunkt gibt es nicht.',
  },
  'request.method_not_allowed': {
    status: 405,
    en: 'This method is not allowed here.',
    de: 'Diese Methode ist hier nicht erlaubt.',
  },
  'request.conflict': {
    status: 409,
    en: 'The request collided with a change made at the same time and was not carried out. Please try again.',
    de: 'Die Anfrage traf auf eine gleichzeitige Änderung und wurde nicht ausgeführt. Bitte noch einmal versuchen.',
  },
  'request.rate_limited': {
    status: 429,
    en: 'Too many requests. Please wait a moment.',
    de: 'Zu viele Anfragen. Bitte einen Moment warten.',
  },
  'server.unavailable': {
    status: 503,
    en: 'The server is not ready. Please try again shortly.',
    de: 'Der Server ist nicht bereit. Bitte gleich noch einmal versuchen.',
  },
  'server.storage_full': {
    status: 507,
    en: "The server's storage is full; nothing was stored. Please tell the server's operator.",
    de: 'Der Speicher des Servers ist voll; nichts wurde gespeichert. Bitte informieren Sie den Betreiber des Servers.',
  },
  'server.internal': {
    status: 500,
    en: 'An unexpected error occurred. The request id identifies it in the server log.',
    de: 'Ein unerwarteter Fehler ist aufgetreten. Die Anfrage-ID findet ihn im Server-Protokoll.',
  },
  'auth.unauthenticated': {
    status: 401,
    en: 'Please sign in (the session is missing, expired or revoked).',
    de: 'Bitte anmelden (die Sitzung fehlt, ist abgelaufen oder wurde beendet).',
  },
  'auth.forbidden': {
    status: 403,
    en: 'Your role does not allow this.',
    de: 'Ihre Rolle erlaubt das nicht.',
  },
  'accounts.username_taken': {
    status: 409,
    en: 'This login name is already taken.',
    de: 'Dieser Anmeldename ist bereits vergeben.',
  },
  'accounts.practice_exists': {
    status: 409,
    en: 'A practice with this id already exists.',
    de: 'Eine Praxis mit dieser ID gibt es bereits.',
  },
  'accounts.invalid_key_material': {
    status: 400,
    en: 'The key material does not fit this user or practice.',
    de: 'Das Schlüsselmaterial passt nicht zu diesem Benutzer oder dieser Praxis.',
  },
  'auth.login_failed': {
    status: 401,
    en: 'Login name or password is wrong.',
    de: 'Anmeldename oder Passwort ist falsch.',
  },
  'auth.login_expired': {
    status: 401,
    en: 'This login attempt has expired or was already used. Please start again.',
    de: 'Dieser Anmeldeversuch ist abgelaufen oder wurde schon verwendet. Bitte neu beginnen.',
  },
  'auth.totp_invalid': {
    status: 401,
    en: 'The one-time code is wrong or was already used.',
    de: 'Der Einmalcode ist falsch oder wurde schon verwendet.',
  },
  'auth.totp_required': {
    status: 401,
    en: 'Please enter the one-time code from your authenticator app.',
    de: 'Bitte den Einmalcode aus der Authenticator-App eingeben.',
  },
  'auth.device_unknown': {
    status: 403,
    en: 'This device is not registered for this user.',
    de: 'Dieses Gerät ist für diesen Benutzer nicht registriert.',
  },
  'auth.device_pending': {
    status: 403,
    en: 'This device is waiting for approval by one of your approved devices or a primary user.',
    de: 'Dieses Gerät wartet auf Freigabe durch eines Ihrer freigegebenen Geräte oder einen Hauptbenutzer.',
  },
  'auth.device_revoked': {
    status: 403,
    en: 'This device has been revoked.',
    de: 'Dieses Gerät wurde gesperrt.',
  },
  'auth.device_proof_invalid': {
    status: 401,
    en: 'The device could not prove its identity.',
    de: 'Das Gerät konnte seine Identität nicht nachweisen.',
  },
  'auth.passkey_invalid': {
    status: 401,
    en: 'The passkey could not be verified. Please try again or use the one-time code.',
    de: 'Der Passkey konnte nicht geprüft werden. Bitte erneut versuchen oder den Einmalcode verwenden.',
  },
  'passkey.registration_expired': {
    status: 400,
    en: 'This passkey registration has expired. Please start again.',
    de: 'Diese Passkey-Registrierung ist abgelaufen. Bitte neu beginnen.',
  },
  'passkey.registration_invalid': {
    status: 400,
    en: 'The passkey could not be registered: its answer did not check out.',
    de: 'Der Passkey konnte nicht registriert werden: seine Antwort war nicht gültig.',
  },
  'backup.credential_not_found': {
    status: 404,
    en: 'No such backup credential.',
    de: 'Diesen Sicherungs-Zugang gibt es nicht.',
  },
  'backup.object_not_found': {
    status: 404,
    en: 'No such object in the backup repository.',
    de: 'Dieses Objekt gibt es im Sicherungsarchiv nicht.',
  },
  'backup.object_exists': {
    status: 409,
    en: 'An object with this name and different content is already stored; backups are never overwritten.',
    de: 'Unter diesem Namen ist bereits ein anderes Objekt gespeichert; Sicherungen werden nie überschrieben.',
  },
  'backup.snapshot_forgotten': {
    status: 409,
    en: "The cloud's retention has deleted this snapshot; it is not stored again.",
    de: 'Die Aufbewahrungsregel der Cloud hat diese Sicherung gelöscht; sie wird nicht erneut gespeichert.',
  },
  'backup.object_locked': {
    status: 423,
    en: 'This backup object is still in its lock period and cannot be deleted yet.',
    de: 'Dieses Sicherungsobjekt ist noch gesperrt und kann noch nicht gelöscht werden.',
  },
  'backup.quota_exceeded': {
    status: 507,
    en: "The practice's backup storage quota is used up.",
    de: 'Das Sicherungs-Kontingent der Praxis ist ausgeschöpft.',
  },
  'backup.retention_running': {
    status: 423,
    en: 'A cloud retention run holds the backup repository right now; try again once it has finished.',
    de: 'Gerade läuft eine Aufbewahrungsregel auf dem Cloud-Sicherungsarchiv; bitte danach erneut versuchen.',
  },
  'backup.retention_lock_required': {
    status: 409,
    en: 'Deleting backup objects needs the live retention lock of this run (take it first; it may have expired).',
    de: 'Zum Löschen von Sicherungsobjekten ist die gültige Aufbewahrungssperre dieses Laufs nötig (zuerst setzen; sie ist vielleicht abgelaufen).',
  },
  'backup.retention_lock_lost': {
    status: 409,
    en: 'This retention lock has expired or ended; start the retention run again.',
    de: 'Diese Aufbewahrungssperre ist abgelaufen oder beendet; bitte den Aufbewahrungslauf neu starten.',
  },
  'backup.retention_only': {
    status: 403,
    en: 'Deleting backup objects (and the retention lock that allows it) needs a retention credential.',
    de: 'Zum Löschen von Sicherungsobjekten (und für die Aufbewahrungssperre dazu) ist ein Aufbewahrungs-Zugang nötig.',
  },
  'passkey.not_found': {
    status: 404,
    en: 'No such passkey.',
    de: 'Diesen Passkey gibt es nicht.',
  },
  'devices.not_found': {
    status: 404,
    en: 'No such device.',
    de: 'Dieses Gerät gibt es nicht.',
  },
  'sessions.not_found': {
    status: 404,
    en: 'No such session.',
    de: 'Diese Sitzung gibt es nicht.',
  },
  'users.not_found': {
    status: 404,
    en: 'No such user.',
    de: 'Diesen Benutzer gibt es nicht.',
  },
  'users.last_primary': {
    status: 409,
    en: 'The practice needs at least one primary user.',
    de: 'Die Praxis braucht mindestens einen Hauptbenutzer.',
  },
  'invites.invalid': {
    status: 410,
    en: 'This invitation is invalid, expired or already used.',
    de: 'Diese Einladung ist ungültig, abgelaufen oder wurde schon verwendet.',
  },
  'grants.invalid': {
    status: 400,
    en: 'The key grant is not valid (signature, recipient or version).',
    de: 'Die Schlüsselübergabe ist ungültig (Signatur, Empfänger oder Version).',
  },
  'recovery.failed': {
    status: 401,
    en: 'Recovery failed: the recovery code does not fit this account.',
    de: 'Wiederherstellung fehlgeschlagen: Der Wiederherstellungscode passt nicht zu diesem Konto.',
  },
  'settings.confirmation_required': {
    status: 400,
    en: 'Turning off two-factor login needs the explicit confirmation.',
    de: 'Das Abschalten der Zwei-Faktor-Anmeldung braucht die ausdrückliche Bestätigung.',
  },
  'diagnostics.not_found': {
    status: 404,
    en: 'No probe with this id exists.',
    de: 'Eine Probe mit dieser ID gibt es nicht.',
  },
  'audit.invalid_range': {
    status: 400,
    en: 'The range is invalid: "from" must be at least 1 and not greater than "to".',
    de: 'Der Bereich ist ungültig: „from“ muss mindestens 1 und darf nicht größer als „to“ sein.',
  },
  'audit.beyond_tree_size': {
    status: 400,
    en: 'The audit log does not have that many entries yet.',
    de: 'So viele Einträge hat das Audit-Protokoll noch nicht.',
  },
  'audit.no_checkpoint': {
    status: 404,
    en: 'There is no signed checkpoint of this audit log yet.',
    de: 'Für dieses Audit-Protokoll gibt es noch keinen signierten Prüfpunkt.',
  },
  'invites.not_found': {
    status: 404,
    en: 'No such invitation.',
    de: 'Diese Einladung gibt es nicht.',
  },
  'accounts.id_taken': {
    status: 409,
    en: 'This id is already in use. Please try again.',
    de: 'Diese ID ist bereits vergeben. Bitte noch einmal versuchen.',
  },
  'records.not_found': {
    status: 404,
    en: 'No such patient record, entry or document.',
    de: 'Diese Patientenakte, diesen Eintrag oder dieses Dokument gibt es nicht.',
  },
  'records.id_taken': {
    status: 409,
    en: 'This record id is already in use. Please try again.',
    de: 'Diese Akten-ID ist bereits vergeben. Bitte noch einmal versuchen.',
  },
  'records.id_erased': {
    status: 409,
    en: 'This id belonged to a record that has been erased; an erased record cannot be created again under its id.',
    de: 'Diese ID gehörte zu einer gelöschten Akte; eine gelöschte Akte kann unter ihrer ID nicht neu angelegt werden.',
  },
  'records.version_conflict': {
    status: 409,
    en: 'Someone else changed this record in the meantime. Please reload it; your input is kept.',
    de: 'Jemand anderes hat diese Akte inzwischen geändert. Bitte neu laden; Ihre Eingaben bleiben erhalten.',
  },
  'records.document_too_large': {
    status: 413,
    en: 'The document is too large (at most 500 MB).',
    de: 'Das Dokument ist zu groß (höchstens 500 MB).',
  },
  'records.chunk_invalid': {
    status: 400,
    en: 'This part of the upload has the wrong number or size.',
    de: 'Dieser Teil des Uploads hat die falsche Nummer oder Größe.',
  },
  'records.upload_incomplete': {
    status: 409,
    en: 'The upload is not complete yet; some parts are missing.',
    de: 'Der Upload ist noch nicht vollständig; es fehlen Teile.',
  },
  'records.upload_closed': {
    status: 409,
    en: 'This upload is already complete and cannot be changed.',
    de: 'Dieser Upload ist bereits abgeschlossen und kann nicht mehr geändert werden.',
  },
  'records.document_damaged': {
    status: 500,
    en: "The server's stored copy of this document is damaged (its integrity check found it); it cannot be opened. Upload the document again if you have it, and please tell the server's operator.",
    de: 'Die auf dem Server gespeicherte Kopie dieses Dokuments ist beschädigt (die Integritätsprüfung hat es festgestellt) und kann nicht geöffnet werden. Laden Sie das Dokument erneut hoch, falls Sie es noch haben, und informieren Sie bitte den Betreiber des Servers.',
  },
  'records.document_not_ready': {
    status: 409,
    en: 'This document has not been uploaded completely yet.',
    de: 'Dieses Dokument wurde noch nicht vollständig hochgeladen.',
  },
  'records.retention_active': {
    status: 403,
    en: 'This record is under its legal retention period; only a primary user can erase it, with a reason.',
    de: 'Diese Akte unterliegt der gesetzlichen Aufbewahrungsfrist; nur ein Hauptbenutzer kann sie mit Begründung löschen.',
  },
  'records.erasure_reason_required': {
    status: 400,
    en: 'Erasing a record under its retention period needs a stated reason.',
    de: 'Das Löschen einer Akte innerhalb der Aufbewahrungsfrist braucht eine Begründung.',
  },
} as const satisfies Record<string, { status: number; en: string; de: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalog, value);
}

export function errorStatus(code: ErrorCode): number {
  return errorCatalog[code].status;
}
