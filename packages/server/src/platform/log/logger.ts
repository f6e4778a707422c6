import { types } from 'node:util';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../../config/config.js';

/**
 * Field names whose values never reach a log, at any depth of a logged object: credentials,
 * session and agent tokens, keys, passphrases, ciphertext, blind indexes, OPAQUE messages.
 * Matched on the name lower-cased without `-` and `_`: a name containing one of these words...
 */
const SECRET_WORDS =
  /password|passphrase|secret|token|authorization|cookie|ciphertext|blindindex|databaseurl|recoverycode|totpcode/;
/** ...or ending in `key`/`keys` (public keys excepted)... */
const SECRET_KEY_SUFFIX = /(?<!public)keys?$/;
/** ...or one of these names (envelope fields, OPAQUE messages and records, sealed boxes). */
const SECRET_NAMES: ReadonlySet<string> = new Set([
  'ct',
  'sealed',
  'master',
  'registrationrecord',
  'registrationrequest',
  'registrationresponse',
  'startloginrequest',
  'finishloginrequest',
  'loginresponse',
]);

export const REDACTED = '[redacted]';

/** Objects nested deeper than this are logged as `[truncated]` (pino itself stops at depth 5). */
const MAX_DEPTH = 8;

/** True if a field of this name must never be logged (case, `-` and `_` do not matter). */
export function isSecretField(name: string): boolean {
  const normalized = name.toLowerCase().replace(/[-_]/g, '');
  return SECRET_WORDS.test(normalized) || SECRET_KEY_SUFFIX.test(normalized) || SECRET_NAMES.has(normalized);
}

export interface SerializedError {
  readonly type: string;
  readonly message: string;
  readonly code?: string | number;
  readonly stack?: string;
}

function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

/**
 * An error as it may be logged: its type, message, code (a SQLSTATE for database errors) and
 * stack, nothing else. Drivers attach the failed statement and its parameters (PGlite: `query`,
 * `params`; PostgreSQL: `detail`, `where`, `internalQuery`), and the parameters are what the
 * client sent: wrapped keys, OPAQUE records, tokens. None of those own properties are kept.
 */
export function serializeError(error: unknown): unknown {
  if (!isError(error)) return error;
  const code = (error as { code?: unknown }).code;
  return {
    type: error.constructor.name,
    message: error.message,
    ...((typeof code === 'string' || typeof code === 'number') && { code }),
    ...(typeof error.stack === 'string' && { stack: error.stack }),
  } satisfies SerializedError;
}

/**
 * A copy of a logged value with every secret field replaced by `[redacted]` at any depth and
 * every error reduced by {@link serializeError}, URLs without their password. Other values with
 * their own JSON form (dates, buffers) are kept; cycles and nesting beyond {@link MAX_DEPTH} are cut.
 */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isError(value)) return serializeError(value);
  if (value instanceof URL) return withoutPassword(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  let copy: unknown;
  if (Array.isArray(value)) {
    copy = value.map((item) => redactSecrets(item, depth + 1, seen));
  } else {
    const out: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(value)) {
      out[name] = isSecretField(name) ? REDACTED : redactSecrets(field, depth + 1, seen);
    }
    copy = out;
  }
  seen.delete(value);
  return copy;
}

function withoutPassword(url: URL): string {
  if (url.password === '') return url.href;
  const masked = new URL(url.href);
  masked.password = '***';
  return masked.href;
}

/** The request fields Fastify logs: a query parameter with a secret's name loses its value. */
interface LoggedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly host?: string;
  readonly ip?: string;
  readonly socket?: { readonly remotePort?: number };
}

function serializeRequest(request: LoggedRequest) {
  return {
    method: request.method,
    url: typeof request.url === 'string' ? redactQuery(request.url) : undefined,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Only the status of a reply (its headers may carry a session cookie). */
function serializeReply(reply: { readonly statusCode?: number }) {
  return { statusCode: reply.statusCode };
}

/** `/x?token=abc&limit=5` → `/x?token=[redacted]&limit=5` (no route takes secrets in the query). */
export function redactQuery(url: string): string {
  const start = url.indexOf('?');
  if (start < 0) return url;
  const query = url
    .slice(start + 1)
    .split('&')
    .map((part) => {
      const end = part.indexOf('=');
      const name = end < 0 ? part : part.slice(0, end);
      return isSecretField(decodeName(name)) ? `${name}=${REDACTED}` : part;
    });
  return `${url.slice(0, start)}?${query.join('&')}`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/** Keys whose serializer keeps only named safe fields: it gets the original (a request, a reply). */
const SERIALIZED_KEYS: ReadonlySet<string> = new Set(['req', 'res']);

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tresor' },
      serializers: { err: serializeError, req: serializeRequest, res: serializeReply },
      formatters: {
        // Runs on every logged object before the serializers.
        log: (object) => {
          const out: Record<string, unknown> = {};
          for (const [name, value] of Object.entries(object)) {
            if (isSecretField(name)) out[name] = REDACTED;
            else if (SERIALIZED_KEYS.has(name)) out[name] = value;
            else out[name] = redactSecrets(value, 1);
          }
          return out;
        },
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
