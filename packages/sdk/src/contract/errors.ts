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
  'diagnostics.not_found': {
    status: 404,
    en: 'No probe with this id exists.',
    de: 'Eine Probe mit dieser ID gibt es nicht.',
  },
} as const satisfies Record<string, { status: number; en: string; de: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalog, value);
}

export function errorStatus(code: ErrorCode): number {
  return errorCatalog[code].status;
}
