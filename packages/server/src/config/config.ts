import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface TlsConfig {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** The whole server configuration, validated once at boot and then frozen. */
export interface Config {
  readonly dataDir: string;
  /** Unset means embedded PGlite in `<dataDir>/pglite`. */
  readonly databaseUrl: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly tls: TlsConfig | undefined;
  readonly logLevel: LogLevel;
  /** Requests per minute and client IP before 429. */
  readonly rateLimitPerMinute: number;
  /** Enables the unauthenticated diagnostics routes over the tenant probe table (tests, benchmarks). */
  readonly diagnostics: boolean;
  /** URL that receives security alarms as JSON POSTs (optional). */
  readonly alarmWebhook: string | undefined;
  /** Directory of the built web app; unset means "not served". */
  readonly webDir: string | undefined;
  /**
   * Reverse proxies whose X-Forwarded-For is believed (addresses, CIDR ranges or `loopback`,
   * `linklocal`, `uniquelocal`); empty means the client IP is the peer address.
   */
  readonly trustedProxies: readonly string[];
  /** Where users reach the web app, e.g. https://tresor.praxis.example (passkeys are bound to it). */
  readonly publicUrl: string;
  /** Cloud backups: days an uploaded object cannot be deleted by anyone; storage quota per practice. */
  readonly backupLockDays: number;
  /** Seconds a cloud retention run's lock lives unless the run extends it. */
  readonly backupRetentionLockSeconds: number;
  readonly backupQuotaBytes: number;
  /** The weekly integrity scrub reads at most this many MiB per second (it shares the disk). */
  readonly scrubMibPerSecond: number;
}

/** A setting that is missing, unknown or malformed: the boot stops with this one-line message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const KNOWN_KEYS = new Set([
  'TRESOR_DATA_DIR',
  'DATABASE_URL',
  'HOST',
  'PORT',
  'TRESOR_TLS_CERT',
  'TRESOR_TLS_KEY',
  'LOG_LEVEL',
  'TRESOR_RATE_LIMIT',
  'TRESOR_DIAGNOSTICS',
  'TRESOR_WEB_DIR',
  'TRESOR_ALARM_WEBHOOK',
  'TRESOR_TRUST_PROXY',
  'TRESOR_PUBLIC_URL',
  'TRESOR_BACKUP_LOCK_DAYS',
  'TRESOR_BACKUP_QUOTA_GB',
  'TRESOR_BACKUP_RETENTION_LOCK_SECONDS',
  'TRESOR_SCRUB_MB_PER_SECOND',
]);
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface ConfigDefaults {
  /** Where the built web app is when TRESOR_WEB_DIR is not set. */
  readonly webDir?: string;
}

export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  defaults: ConfigDefaults = {},
): Config {
  for (const key of Object.keys(env)) {
    if (key.startsWith('TRESOR_') && !KNOWN_KEYS.has(key)) {
      throw new ConfigError(
        `unknown setting ${key} (known: ${[...KNOWN_KEYS].filter((k) => k.startsWith('TRESOR_')).join(', ')})`,
      );
    }
  }
  const value = (key: string): string | undefined => {
    const raw = env[key];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };

  const port = parseInteger('PORT', value('PORT'), 8080, 0, 65535);
  const config: Config = {
    dataDir: resolve(value('TRESOR_DATA_DIR') ?? './data'),
    databaseUrl: parseDatabaseUrl(value('DATABASE_URL')),
    host: value('HOST') ?? '127.0.0.1',
    port,
    tls: loadTls(value('TRESOR_TLS_CERT'), value('TRESOR_TLS_KEY')),
    logLevel: parseLogLevel(value('LOG_LEVEL')),
    rateLimitPerMinute: parseInteger('TRESOR_RATE_LIMIT', value('TRESOR_RATE_LIMIT'), 1200, 1, 1e9),
    diagnostics: parseBoolean('TRESOR_DIAGNOSTICS', value('TRESOR_DIAGNOSTICS')),
    alarmWebhook: parseHttpUrl('TRESOR_ALARM_WEBHOOK', value('TRESOR_ALARM_WEBHOOK')),
    webDir: optionalPath(value('TRESOR_WEB_DIR')) ?? defaults.webDir,
    trustedProxies: parseTrustedProxies(value('TRESOR_TRUST_PROXY')),
    publicUrl: parseHttpUrl('TRESOR_PUBLIC_URL', value('TRESOR_PUBLIC_URL')) ?? `http://localhost:${port}`,
    backupLockDays: parseInteger('TRESOR_BACKUP_LOCK_DAYS', value('TRESOR_BACKUP_LOCK_DAYS'), 30, 0, 3650),
    backupRetentionLockSeconds: parseInteger(
      'TRESOR_BACKUP_RETENTION_LOCK_SECONDS',
      value('TRESOR_BACKUP_RETENTION_LOCK_SECONDS'),
      600,
      1,
      86_400,
    ),
    backupQuotaBytes:
      parseInteger('TRESOR_BACKUP_QUOTA_GB', value('TRESOR_BACKUP_QUOTA_GB'), 100, 1, 1_000_000) * 1024 ** 3,
    scrubMibPerSecond: parseInteger(
      'TRESOR_SCRUB_MB_PER_SECOND',
      value('TRESOR_SCRUB_MB_PER_SECOND'),
      50,
      1,
      100_000,
    ),
  };
  return Object.freeze(config);
}

function parseHttpUrl(key: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol === 'https:' || url.protocol === 'http:') return raw;
  } catch {
    // fall through to the error below
  }
  throw new ConfigError(`${key} must be an http(s) URL (got "${raw}")`);
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustedProxies(raw: string | undefined): readonly string[] {
  if (raw === undefined) return [];
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const validBits =
      bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (PROXY_KEYWORDS.has(entry) || (family !== 0 && validBits && rest.length === 0)) continue;
    throw new ConfigError(
      `TRESOR_TRUST_PROXY must list proxy addresses, CIDR ranges or loopback/linklocal/uniquelocal (got "${entry}")`,
    );
  }
  return Object.freeze(entries);
}

function optionalPath(raw: string | undefined): string | undefined {
  return raw === undefined ? undefined : resolve(raw);
}

function parseInteger(key: string, raw: string | undefined, fallback: number, min: number, max: number) {
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (!/^\d+$/.test(raw) || parsed < min || parsed > max) {
    throw new ConfigError(`${key} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return parsed;
}

function parseBoolean(key: string, raw: string | undefined): boolean {
  if (raw === undefined) return false;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${key} must be true or false (got "${raw}")`);
}

function parseLogLevel(raw: string | undefined): LogLevel {
  if (raw === undefined) return 'info';
  const level = LOG_LEVELS.find((l) => l === raw.toLowerCase());
  if (!level) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${raw}")`);
  return level;
}

function parseDatabaseUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL is not a URL (expected postgres://user@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL must start with postgres:// (got "${url.protocol}//")`);
  }
  return raw;
}

function loadTls(certFile: string | undefined, keyFile: string | undefined): TlsConfig | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    throw new ConfigError('TLS needs both TRESOR_TLS_CERT and TRESOR_TLS_KEY');
  }
  const read = (key: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ConfigError(`${key}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
    }
  };
  return { cert: read('TRESOR_TLS_CERT', certFile), key: read('TRESOR_TLS_KEY', keyFile) };
}

/** The configuration with its secrets removed, for logs and diagnostics. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    dataDir: config.dataDir,
    database: config.databaseUrl ? redactUrl(config.databaseUrl) : 'embedded (PGlite)',
    listen: `${config.tls ? 'https' : 'http'}://${config.host}:${config.port}`,
    logLevel: config.logLevel,
    diagnostics: config.diagnostics,
  };
}

export function redactUrl(raw: string): string {
  const url = new URL(raw);
  if (url.password) url.password = '***';
  return url.toString();
}
