import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackupError } from '../errors.js';
import { isHexId } from '../repository/layout.js';

/** The object kinds of the cloud repository: the directories of a local one. */
export type CloudKind = 'config' | 'keys' | 'index' | 'snapshots' | 'data';

export interface CloudObject {
  readonly kind: CloudKind;
  readonly name: string;
  readonly size: number;
  /** Hex SHA-256 of the stored bytes, computed by the server. */
  readonly sha256: string;
  readonly createdAt: string;
  /** Until then nobody can delete the object (the server's lock period). */
  readonly lockedUntil: string;
  /**
   * The server's integrity scrub found the stored bytes no longer match `sha256` (bit rot on its
   * disk); storing the same bytes again repairs it (`replicate --repair`). Absent from servers
   * without a scrub.
   */
  readonly damaged?: boolean;
}

export interface CloudClientOptions {
  /** The Tresor server, e.g. `https://tresor.praxis.example`. */
  readonly url: string;
  /** A backup token (`tbk_…`) made by a primary user: agent or retention credential. */
  readonly token: string;
  /** Attempts per request when the network or the server fails (default 6). */
  readonly attempts?: number;
  /** First pause between attempts in ms, doubled each time (default 500). */
  readonly backoffMs?: number;
  readonly fetch?: typeof fetch;
  /** Told once about each listed object that is no file of a repository (it is left out). */
  readonly warn?: (message: string) => void;
}

/** Statuses worth retrying: the request may succeed later without any change on our side. */
const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);

/**
 * The agent's side of the server's `backup-repo` API: opaque objects, stored once. Network
 * failures and transient server errors are retried with backoff (a resumed upload of the same
 * bytes is accepted by the server); every other failure becomes a `BackupError` with a message a
 * practice can act on. The token goes only into the Authorization header, never into messages.
 */
export class CloudClient {
  private readonly base: string;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly fetch: typeof fetch;
  /** The retention lock this client holds while {@link whileRetentionLocked} runs. */
  private retentionLock: string | undefined;
  /** Listed objects left out as no repository files, as reported. */
  private readonly ignored = new Set<string>();

  constructor(private readonly options: CloudClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new BackupError(
        'usage.invalid',
        `"${options.url}" is not a URL (expected e.g. https://tresor.example)`,
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new BackupError('usage.invalid', `the cloud URL must start with https:// (got ${url.protocol})`);
    }
    this.base = url.origin + url.pathname.replace(/\/+$/, '');
    this.attempts = options.attempts ?? 6;
    this.backoffMs = options.backoffMs ?? 500;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  get url(): string {
    return this.base;
  }

  /**
   * Every stored object, optionally of one kind. The server is not trusted: an entry whose kind
   * and name are not those of a repository file ({@link isObjectName}; `keys/../../x`, say, stored
   * with a stolen backup token or listed by a compromised server) is left out and reported through
   * `warn`, so no such name ever reaches a path or a request.
   * @throws BackupError cloud.damaged when the listing itself is malformed.
   */
  async list(kind?: CloudKind): Promise<CloudObject[]> {
    const query = kind === undefined ? '' : `?kind=${kind}`;
    const response = await this.request('GET', `/api/v1/backup/objects${query}`);
    const listed = field(await this.body(response, 'the listing of objects'), 'objects');
    if (!Array.isArray(listed)) {
      throw new BackupError('cloud.damaged', `the server at ${this.base} sent a malformed listing`);
    }
    const objects: CloudObject[] = [];
    for (const object of listed as unknown[]) {
      if (typeof object !== 'object' || object === null) {
        throw new BackupError('cloud.damaged', `the server at ${this.base} sent a malformed listing`);
      }
      const entry = object as Partial<Record<keyof CloudObject, unknown>>;
      if (!isObjectName(entry.kind, entry.name)) {
        this.ignore(entry.kind, entry.name);
        continue;
      }
      if (kind !== undefined && entry.kind !== kind) continue; // not what was asked for
      const { size, sha256, damaged } = entry;
      if (
        typeof size !== 'number' ||
        !Number.isSafeInteger(size) ||
        size < 0 ||
        typeof sha256 !== 'string' ||
        !isHexId(sha256) ||
        (damaged !== undefined && typeof damaged !== 'boolean')
      ) {
        throw new BackupError(
          'cloud.damaged',
          `the server at ${this.base} lists ${entry.kind}/${String(entry.name)} with a malformed size, hash or damage flag`,
        );
      }
      objects.push(object as CloudObject);
    }
    return objects;
  }

  /** Tells the user about a problem with what the cloud holds (through the `warn` option). */
  warn(message: string): void {
    this.options.warn?.(message);
  }

  private ignore(kind: unknown, name: unknown): void {
    const what = JSON.stringify(`${String(kind)}/${String(name)}`).slice(0, 200);
    if (this.ignored.has(what)) return;
    this.ignored.add(what);
    this.options.warn?.(
      `the cloud lists an object ${what} that is no file of a backup repository; ignored (tresor-backup never stores such a name: it may come from a stolen backup token or a compromised server)`,
    );
  }

  /**
   * Stores `bytes` as `kind/name` and checks that the server stored exactly them (size and
   * SHA-256 of what it received). The same bytes again are accepted.
   */
  async put(kind: CloudKind, name: string, bytes: Uint8Array): Promise<CloudObject> {
    const response = await this.request('PUT', objectPath(kind, name), bytes);
    const stored = (await this.body(response, `storing ${kind}/${name}`)) as CloudObject;
    if (typeof field(stored, 'sha256') !== 'string' || typeof field(stored, 'size') !== 'number') {
      throw this.malformed(`storing ${kind}/${name}`);
    }
    const expected = sha256Hex(bytes);
    if (stored.sha256 !== expected || stored.size !== bytes.length) {
      throw new BackupError(
        'cloud.damaged',
        `the server stored ${kind}/${name} with another content than was sent (${stored.size} bytes, sha256 ${stored.sha256.slice(0, 12)}…)`,
      );
    }
    return stored;
  }

  /** Names of the snapshots the cloud's retention deleted: never to be stored again. */
  async forgottenSnapshots(): Promise<Set<string>> {
    const what = 'the list of forgotten snapshots';
    const names = field(await this.json('GET', '/api/v1/backup/forgotten-snapshots', what), 'names');
    if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) throw this.malformed(what);
    return new Set(names);
  }

  /**
   * The object's bytes, checked against the SHA-256 the server reports for it. At most `maxBytes`
   * are read (the size the listing gave, or the largest object the server stores): a longer
   * answer is `cloud.damaged`, never held in memory whole.
   */
  async get(kind: CloudKind, name: string, maxBytes = MAX_CLOUD_OBJECT_BYTES): Promise<Uint8Array> {
    const response = await this.request('GET', objectPath(kind, name));
    const bytes = await readAtMost(response, maxBytes, `${kind}/${name}`);
    const reported = response.headers.get('x-content-sha256');
    if (reported !== null && reported !== sha256Hex(bytes)) {
      throw new BackupError('cloud.damaged', `${kind}/${name} arrived damaged (its hash does not match)`);
    }
    return bytes;
  }

  /**
   * `length` bytes of the object from `offset` (an HTTP range request). Nothing vouches for them
   * here: the caller verifies what it reads (a sealed blob by its AES-GCM tag). A server that
   * ignores the range and sends the whole object is answered by cutting it.
   * @throws BackupError cloud.damaged when fewer bytes arrive than asked for.
   */
  async getRange(kind: CloudKind, name: string, offset: number, length: number): Promise<Uint8Array> {
    const response = await this.request('GET', objectPath(kind, name), undefined, {
      range: `bytes=${offset}-${offset + length - 1}`,
    });
    // A server that ignores the range sends the object from its start: read only as far as needed.
    const partial = response.status === 206;
    let bytes = await readAtMost(response, partial ? length : offset + length, `${kind}/${name}`, !partial);
    if (!partial) bytes = bytes.subarray(offset, offset + length);
    if (bytes.length !== length) {
      throw new BackupError(
        'cloud.damaged',
        `${kind}/${name} arrived cut short (${bytes.length} of ${length} bytes)`,
      );
    }
    return bytes;
  }

  /**
   * Runs `work` while this client holds the practice's retention lock (retention credentials
   * only): nobody else stores objects meanwhile, and {@link delete} works only inside. The lock is
   * extended in the background while `work` runs and ended afterwards. Taken before `work` reads
   * anything, so what it decides to delete cannot be needed by a snapshot stored meanwhile.
   * @throws BackupError `cloud.busy` while another retention run holds the lock.
   */
  async whileRetentionLocked<T>(work: () => Promise<T>): Promise<T> {
    if (this.retentionLock !== undefined) return work();
    let lock: RetentionLock;
    try {
      lock = (await this.json(
        'POST',
        '/api/v1/backup/retention-lock',
        'taking the retention lock',
      )) as RetentionLock;
    } catch (error) {
      throw busyOr(error, 'another cloud retention run (forget or prune --cloud-copy) is in progress');
    }
    const id = field(lock, 'id');
    const expiresAt = field(lock, 'expiresAt');
    if (
      typeof id !== 'string' ||
      id.length === 0 ||
      typeof expiresAt !== 'string' ||
      Number.isNaN(Date.parse(expiresAt))
    ) {
      // It may hold a lock nonetheless: it expires on its own.
      throw this.malformed('taking the retention lock');
    }
    this.retentionLock = lock.id;
    const lifeMs = Math.max(1_000, Date.parse(lock.expiresAt) - Date.now());
    // Extended at a third of its life: two extensions may fail (network) before it expires.
    const timer = setInterval(() => {
      this.request('PUT', `/api/v1/backup/retention-lock/${encodeURIComponent(lock.id)}`)
        .then((response) => response.body?.cancel())
        .catch(() => undefined);
    }, lifeMs / 3);
    timer.unref();
    try {
      return await work();
    } finally {
      clearInterval(timer);
      this.retentionLock = undefined;
      await this.request('DELETE', `/api/v1/backup/retention-lock/${encodeURIComponent(lock.id)}`).catch(
        () => undefined,
      );
    }
  }

  /** Deletes an object: retention credentials only, inside {@link whileRetentionLocked}, after its lock period. */
  async delete(kind: CloudKind, name: string): Promise<'deleted' | 'locked' | 'gone'> {
    if (this.retentionLock === undefined) {
      throw new Error('CloudClient.delete needs the retention lock (whileRetentionLocked)');
    }
    try {
      await this.request(
        'DELETE',
        `${objectPath(kind, name)}?lock=${encodeURIComponent(this.retentionLock)}`,
      );
      return 'deleted';
    } catch (error) {
      if (error instanceof CloudRequestError && error.serverCode === 'backup.object_locked') return 'locked';
      if (error instanceof CloudRequestError && error.serverCode === 'backup.object_not_found') return 'gone';
      throw error;
    }
  }

  private async json(method: string, path: string, what: string): Promise<unknown> {
    return this.body(await this.request(method, path), what);
  }

  /** A successful answer's JSON body. @throws BackupError cloud.damaged when it is not JSON. */
  private async body(response: Response, what: string): Promise<unknown> {
    try {
      return await response.json();
    } catch {
      throw this.malformed(what);
    }
  }

  private malformed(what: string): BackupError {
    return new BackupError(
      'cloud.damaged',
      `the server at ${this.base} sent a malformed answer to ${what} (is it a Tresor server, and no proxy or login page in between?)`,
    );
  }

  private async request(
    method: string,
    path: string,
    body?: Uint8Array,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await sleep(this.backoffMs * 2 ** (attempt - 2));
      let response: Response;
      try {
        response = await this.fetch(`${this.base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            ...headers,
            ...(body === undefined ? {} : { 'content-type': 'application/octet-stream' }),
          },
          // Node's fetch sends any Uint8Array; the DOM typings want one over a plain ArrayBuffer.
          ...(body === undefined ? {} : { body: body as Uint8Array<ArrayBuffer> }),
        });
      } catch (error) {
        lastProblem = networkProblem(error);
        continue;
      }
      if (response.ok) return response;
      if (TRANSIENT.has(response.status)) {
        lastProblem = `the server answered ${response.status}`;
        await response.body?.cancel();
        continue;
      }
      throw await requestError(method, path, response);
    }
    throw new BackupError(
      'cloud.unreachable',
      `cannot reach the Tresor server at ${this.base} (${lastProblem}; tried ${this.attempts} times); run the command again to resume`,
    );
  }
}

interface RetentionLock {
  readonly id: string;
  readonly expiresAt: string;
}

/** A refusal by the server, with its stable error code. */
export class CloudRequestError extends BackupError {
  constructor(
    code: 'cloud.unauthorized' | 'cloud.refused' | 'cloud.quota' | 'cloud.busy',
    message: string,
    readonly status: number,
    readonly serverCode: string | undefined,
  ) {
    super(code, message);
  }
}

async function requestError(method: string, path: string, response: Response): Promise<CloudRequestError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const error = field(body, 'error');
  const code = field(error, 'code');
  const message = field(error, 'message');
  const serverCode = typeof code === 'string' ? code : undefined;
  const detail = typeof message === 'string' ? message : `HTTP ${response.status}`;
  if (response.status === 401) {
    return new CloudRequestError(
      'cloud.unauthorized',
      'the server does not accept the backup token (unknown or revoked); ask a primary user of the practice for a new one',
      401,
      serverCode,
    );
  }
  if (serverCode === 'backup.retention_running') {
    return new CloudRequestError(
      'cloud.busy',
      `a cloud retention run holds the practice's cloud copy right now (${method} ${path} refused); run the command again once it has finished`,
      response.status,
      serverCode,
    );
  }
  if (serverCode === 'backup.quota_exceeded') {
    return new CloudRequestError(
      'cloud.quota',
      `the practice's cloud backup quota is used up (${detail}); apply cloud retention or ask for more space`,
      response.status,
      serverCode,
    );
  }
  return new CloudRequestError(
    'cloud.refused',
    `the server refused ${method} ${path}: ${detail}${serverCode ? ` (${serverCode})` : ''}`,
    response.status,
    serverCode,
  );
}

/** `error`, or a `cloud.busy` error saying `what` when the server refused because of a retention run. */
function busyOr(error: unknown, what: string): unknown {
  if (error instanceof CloudRequestError && error.code === 'cloud.busy') {
    return new CloudRequestError(
      'cloud.busy',
      `${what}; try again once it has finished`,
      error.status,
      error.serverCode,
    );
  }
  return error;
}

function networkProblem(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

/** The largest object the Tresor server stores (its `MAX_OBJECT_BYTES`). */
const MAX_CLOUD_OBJECT_BYTES = 512 * 1024 * 1024;

/**
 * The body of `response`, at most `limit` bytes. With `cut`, reading stops there (the rest is not
 * needed); without, a longer body is `cloud.damaged`.
 */
async function readAtMost(response: Response, limit: number, what: string, cut = false): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (!cut && declared > limit) throw tooLong(what, limit);
  const pieces: Uint8Array[] = [];
  let total = 0;
  const body = response.body as ReadableStream<Uint8Array> | null;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      const piece = next.value;
      const room = limit - total;
      if (piece.length > room) {
        if (!cut) throw tooLong(what, limit);
        pieces.push(piece.subarray(0, room));
        total += room;
        await reader.cancel(); // the rest is not needed
        break;
      }
      pieces.push(piece);
      total += piece.length;
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  }
  if (pieces.length === 1) return pieces[0]!;
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    bytes.set(piece, at);
    at += piece.length;
  }
  return bytes;
}

function tooLong(what: string, limit: number): BackupError {
  return new BackupError('cloud.damaged', `${what} arrived longer than the ${limit} bytes it can be`);
}

/** `value[key]` when `value` is a JSON object, else undefined. */
function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

const KEY_SLOT_NAME = /^[0-9a-f]{32}$/;

/**
 * Whether `kind/name` is a file of a repository as docs/BACKUP_FORMAT.md lays it out: `config`,
 * a key slot (32 hex digits), or a pack, index file or snapshot (its SHA-256, 64 hex digits).
 * Every name the server lists passes this before it is used.
 */
export function isObjectName(kind: unknown, name: unknown): kind is CloudKind {
  if (typeof name !== 'string') return false;
  switch (kind) {
    case 'config':
      return name === 'config';
    case 'keys':
      return KEY_SLOT_NAME.test(name);
    case 'data':
    case 'index':
    case 'snapshots':
      return isHexId(name);
    default:
      return false;
  }
}

function objectPath(kind: CloudKind, name: string): string {
  return `/api/v1/backup/objects/${kind}/${encodeURIComponent(name)}`;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
