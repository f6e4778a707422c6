import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Agent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AccountSession } from '@tresor/sdk';
import { errorStatus, isErrorCode, records } from '@tresor/sdk/contract';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { dumpRows } from './testing/database-dump.js';
import { SoftAuthenticator } from './testing/soft-authenticator.js';
import { signUpPractice } from './testing/sign-up.js';
import { type TestServer, createTestServer } from './testing/test-server.js';
import { TestClock } from './testing/totp-codes.js';

/**
 * The bad-input sweep: every route of the OpenAPI document gets malformed requests (path
 * parameters, query strings, JSON bodies derived from the route's schema, content types,
 * framing), signed in as a primary user with data and anonymously. Every answer must be a 4xx
 * in the API's error shape with a catalogue code and nothing of the server's insides, and no
 * stored row may change. All failures are collected and reported together.
 */

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const PUBLIC_URL = 'https://tresor.invalid';
const MIB = 1024 * 1024;

/** Routes that end the caller's own session(s): swept anonymously only (as the tenant sweep skips them). */
const SELF_ENDING = new Set(['POST /api/v1/auth/logout', 'POST /api/v1/sessions/revoke-others']);

/** Routes anyone may call: no session, so the "no/garbage credentials" variants do not apply. */
const PUBLIC = new Set([
  'GET /api/v1/info',
  'POST /api/v1/auth/registration/start',
  'POST /api/v1/practices',
  'POST /api/v1/auth/login/start',
  'POST /api/v1/auth/login/finish',
  'POST /api/v1/auth/login/complete',
  'POST /api/v1/auth/recovery/start',
  'POST /api/v1/auth/recovery/finish',
  'POST /api/v1/invites/accept',
]);

/**
 * Routes whose schema-valid example body is itself bad input (placeholder cryptographic messages,
 * signatures, tokens the server must reject): the example is sent as is too, and must be refused.
 * Elsewhere a schema-valid body would be a real change (a rename, a stored envelope) and is not sent.
 * Not `recovery/start`: it takes a login name only, and answers an unknown one like a known one.
 */
const EXAMPLE_IS_BAD = new Set([
  ...[...PUBLIC].filter((route) => route.startsWith('POST ') && !route.endsWith('/recovery/start')),
  'POST /api/v1/auth/password/start',
  'POST /api/v1/auth/password',
  'POST /api/v1/practice/grants',
  'POST /api/v1/practice/key-rotations',
  'POST /api/v1/passkeys',
]);

/** Routes that take a raw `application/octet-stream` body (not in the OpenAPI request bodies). */
const RAW = new Set([
  'PUT /api/v1/documents/{id}/chunks/{index}',
  'PUT /api/v1/documents/{id}/content',
  'PUT /api/v1/backup/objects/{kind}/{name}',
]);

/** Routes authenticated with a backup token (`tbk_…`) instead of a session. */
const backupTokenRoute = (path: string) =>
  /^\/api\/v1\/backup\/(objects|forgotten-snapshots|retention-lock)/.test(path);

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  additionalProperties?: boolean | Schema;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

/**
 * Validators as the server's (strict bodies; coerced path and query strings), which must also
 * refuse NaN and Infinity (`1e309` parses to Infinity): no number the API takes is non-finite.
 */
const common = { strict: false, strictNumbers: true, useDefaults: true } as const;
const strictAjv = addFormats(new Ajv({ ...common, coerceTypes: false }));
const coercingAjv = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
const compiled = new Map<Ajv, Map<Schema, ValidateFunction>>();
const validates = (schema: Schema, value: unknown, ajv: Ajv): boolean => {
  const cache = compiled.get(ajv) ?? new Map<Schema, ValidateFunction>();
  compiled.set(ajv, cache);
  let check = cache.get(schema);
  if (check === undefined) {
    check = ajv.compile(schema);
    cache.set(schema, check);
  }
  return check(structuredClone(value)); // (useDefaults would fill in the caller's value)
};
const bodyValid = (schema: Schema, body: unknown) => validates(schema, body, strictAjv);

const typesOf = (schema: Schema): string[] => {
  if (schema.anyOf ?? schema.oneOf) return (schema.anyOf ?? schema.oneOf ?? []).flatMap(typesOf);
  if (schema.type === undefined) return schema.enum ? schema.enum.map((v) => typeof v) : [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
};

// --- Example values that satisfy a schema (the base every variant changes in one place) ---------

let exampleIds = 0;
/** A fresh, well-formed id that names nothing stored. */
const freshId = () => `5eeb0000-0000-4000-8000-${(++exampleIds).toString(16).padStart(12, '0')}`;

const PATTERN_EXAMPLES: Record<string, string> = {
  '^[a-z0-9][a-z0-9._@-]{2,127}$': 'sweep.nobody',
  '^[0-9]{6}$': '123456',
  '^\\d{4}-\\d{2}-\\d{2}$': '2020-01-01',
  '^[0-9a-f]{64}$': 'a'.repeat(64),
};

function exampleString(schema: Schema): string {
  if (schema.format === 'uuid') return freshId();
  if (schema.format === 'date-time') return '2020-01-01T00:00:00Z';
  const min = Math.max(1, schema.minLength ?? 1);
  if (schema.pattern !== undefined) {
    const known = PATTERN_EXAMPLES[schema.pattern];
    if (known !== undefined) return known;
    // `^[class]{m,n}$`, `^[class]+$`, `^[class]*$`: the class's first character, often enough.
    const simple = /^\^\[(.)[^\]]*\](?:\{(\d+)(?:,\d*)?\}|[+*])\$$/.exec(schema.pattern);
    if (simple) return simple[1]!.repeat(Math.max(min, Number(simple[2] ?? 0), 4));
  }
  return 'x'.repeat(min);
}

/** A value that fits `schema`: required properties only, or (`all`) optional ones too. */
function example(schema: Schema, all = false): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum !== undefined) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return example(alternatives.find((s) => s.type !== 'null') ?? alternatives[0]!, all);
  const type: string = (Array.isArray(schema.type) ? schema.type[0] : schema.type) ?? 'unknown';
  switch (type) {
    case 'object':
      return Object.fromEntries(
        (all ? Object.keys(schema.properties ?? {}) : (schema.required ?? [])).map((key) => [
          key,
          example(schema.properties?.[key] ?? {}, all),
        ]),
      );
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () =>
        example(schema.items ?? {}, all),
      );
    case 'string':
      return exampleString(schema);
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return {};
  }
}

// --- Malformed values ---------------------------------------------------------------------------

/** Path parameter values (already percent-encoded as they go into the URL). */
const PATH_VALUES: readonly [label: string, value: string][] = [
  ['not-a-uuid', 'not-a-uuid'],
  ['empty segment', ''],
  ['300 characters', 'x'.repeat(300)],
  ['%00', '%00'],
  ['..%2f..', '..%2f..'],
  ['huge integer', '99999999999999999999999'],
  ['negative', '-1'],
  ['fraction', '1.5'],
  ['bad percent-encoding', '%E0%A4%A'],
  ['uppercase uuid', 'ABCDEF00-0000-4000-8000-000000000000'],
];

/** Query values (percent-encoded). */
const QUERY_VALUES: readonly [label: string, value: string][] = [
  ['word', 'abc'],
  ['empty', ''],
  ['negative', '-1'],
  ['fraction', '1.5'],
  ['huge', '99999999999999999999999'],
  ['1e400', '1e400'],
  ['NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['%00', '%00'],
  ['bad percent-encoding', '%ZZ'],
  ['not-a-uuid', 'not-a-uuid'],
];

/** Valid JSON numbers that no JS number holds exactly (or at all): spliced into the body text. */
const RAW_NUMBERS: readonly [label: string, text: string][] = [
  ['2^63', '9223372036854775808'],
  ['-2^63-1', '-9223372036854775809'],
  ['1e309', '1e309'],
];

const deep = (levels: number): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

/**
 * A value nested 100 000 levels deep, as JSON text (600 KB, under the body limit). `JSON.parse`
 * takes it, but `JSON.stringify` and `structuredClone` overflow the stack on it: wherever a
 * schema lets an unchecked value through, it must not reach them.
 */
const DEEP_TEXT = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;

const RAW_MARKER = '__sweep_raw_value__';
/** The body as JSON text with `text` (not expressible as a JS value) at `at`. */
const withRaw = (body: unknown, at: readonly (string | number)[], text: string) =>
  JSON.stringify(setAt(body, at, RAW_MARKER)).replace(`"${RAW_MARKER}"`, text);

/** Where a body's schema lets unknown properties through (additionalProperties not false). */
function openObjects(
  schema: Schema,
  body: unknown,
  at: readonly (string | number)[] = [],
): (string | number)[][] {
  if (body === null || typeof body !== 'object') return [];
  const objectSchema = (schema.anyOf ?? schema.oneOf)?.find((s) => s.type === 'object') ?? schema;
  if (Array.isArray(body)) {
    return schema.items && body.length > 0 ? openObjects(schema.items, body[0], [...at, 0]) : [];
  }
  const here = objectSchema.additionalProperties === false ? [] : [[...at]];
  return [
    ...here,
    ...Object.entries(body as Record<string, unknown>).flatMap(([key, value]) =>
      openObjects(objectSchema.properties?.[key] ?? {}, value, [...at, key]),
    ),
  ];
}

const safeDecode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

const setAt = (body: unknown, path: readonly (string | number)[], value: unknown): unknown => {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  target[path[path.length - 1]!] = value;
  return copy;
};
const without = (body: unknown, key: string): unknown =>
  Object.fromEntries(Object.entries(body as object).filter(([name]) => name !== key));

// --- Requests and answers -----------------------------------------------------------------------

type Expect =
  /** Must be refused: a 4xx in the error shape. */
  | 'error'
  /** May be accepted (say a body on GET, which HTTP lets a server ignore); if refused, a 4xx. */
  | 'tolerated'
  /** The request never completes (the client gives up mid-body): no answer, or a 4xx. */
  | 'error-or-closed';

interface Variant {
  readonly name: string;
  readonly method: string;
  /** Path and query, percent-encoded. */
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
  /** Sent over a raw socket with a hand-made Content-Length. */
  readonly framing?: 'length-short' | 'length-long-then-close' | 'length-not-a-number';
  readonly expect: Expect;
  /**
   * The request breaks the route's schema (or HTTP itself): it must be refused before any service
   * sees it, with a `request.*` code, not answered by a service that got it anyway.
   */
  readonly byValidation: boolean;
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/**
 * A client address of its own for every request (the test server trusts the loopback proxy): the
 * login throttle counts a refused login start per address and would make later ones wait.
 */
let clients = 0;
const nextClient = () => {
  clients++;
  return `10.${(clients >> 16) & 255}.${(clients >> 8) & 255}.${clients & 255}`;
};

function send(base: URL, variant: Variant): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: variant.method,
        path: variant.url,
        headers: { 'x-forwarded-for': nextClient(), ...variant.headers },
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    // The server may answer (413, 415) before it has read a large body and close the connection.
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
    req.end(variant.body);
  });
}

/**
 * A request over a raw socket whose Content-Length does not fit its body: shorter (the rest of the
 * body follows as garbage), longer (then the client half-closes: the body never completes), or
 * not a number. Resolves with the first answer, or undefined when the connection closed without one.
 */
function sendFramed(base: URL, variant: Variant): Promise<Answer | undefined> {
  const body = Buffer.from(variant.body ?? '');
  const length =
    variant.framing === 'length-short'
      ? String(Math.max(1, Math.floor(body.length / 2)))
      : variant.framing === 'length-long-then-close'
        ? String(body.length + 100)
        : '12abc';
  const head = [
    `${variant.method} ${variant.url} HTTP/1.1`,
    `host: ${base.host}`,
    'connection: close',
    `content-length: ${length}`,
    `x-forwarded-for: ${nextClient()}`,
    ...Object.entries(variant.headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return new Promise((resolve) => {
    const socket = connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 10_000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseFirstResponse(Buffer.concat(chunks)));
    });
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    socket.write(body);
    if (variant.framing === 'length-long-then-close') socket.end();
  });
}

function parseFirstResponse(data: Buffer): Answer | undefined {
  const text = data.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, headEnd).split('\r\n');
  const headers: IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = data.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
  return { status: Number(statusLine.split(' ')[1]), headers, text: body };
}

/** What must never be in an answer: a stack, SQL or the database's words, the server's files. */
const LEAKS: readonly [string, RegExp][] = [
  ['a stack trace', /\n\s+at |\bat [\w.<>]+ \(/],
  ['SQL', /\b(select\b[^"]{0,200}\bfrom|insert into|update \w+ set|delete from)\b/i],
  ['a database error', /\b(relation|column|constraint|violates|sqlstate|syntax error at|pglite|postgres)\b/i],
  ['a file path', /(\/(work|home|root|usr|tmp|var|opt|srv)\/|node_modules|file:\/\/|\.[cm]?[jt]s:\d+)/],
];

/** The problem with an answer, or undefined when it is what the project rule asks for. */
function judge(variant: Variant, answer: Answer | undefined): string | undefined {
  if (answer === undefined) {
    return variant.expect === 'error-or-closed' ? undefined : 'the connection closed without an answer';
  }
  const { status, text } = answer;
  if (status >= 500) return `answered ${status}`;
  if (status < 400) return variant.expect === 'tolerated' ? undefined : `accepted with ${status}`;
  if (variant.method === 'HEAD') return undefined; // no body to judge
  for (const [what, pattern] of LEAKS) if (pattern.test(text)) return `the answer contains ${what}`;
  if (!String(answer.headers['content-type']).startsWith('application/json')) {
    return `the answer is ${String(answer.headers['content-type'])}, not JSON`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'the answer is not valid JSON';
  }
  const error = (parsed as { error?: Record<string, unknown> } | null)?.error;
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Object.keys(parsed).join() !== 'error' ||
    typeof error !== 'object' ||
    typeof error.message !== 'string' ||
    error.message === '' ||
    (error.requestId !== undefined && typeof error.requestId !== 'string') ||
    Object.keys(error).some((key) => !['code', 'message', 'requestId'].includes(key))
  ) {
    return 'the answer is not in the error shape { error: { code, message, requestId? } }';
  }
  if (!isErrorCode(error.code)) return `the code ${String(error.code)} is not in the catalogue`;
  if (errorStatus(error.code) !== status) {
    return `status ${status} does not fit ${error.code} (${errorStatus(error.code)})`;
  }
  if (variant.byValidation && !error.code.startsWith('request.')) {
    return `got past validation to ${error.code}, though the schema refuses it`;
  }
  return undefined;
}

// --- The sweep ----------------------------------------------------------------------------------

describe('bad input: every route, malformed requests signed in and anonymously', () => {
  let server: TestServer;
  let base: URL;
  let primary: AccountSession;
  let backupToken = '';
  /** Ids of the primary user's own data, for the routes that get real targets. */
  const own = {
    patient: '',
    completeDocument: '',
    uploadingDocument: '',
    device: '',
    user: '',
    object: 'a'.repeat(64),
  };
  /** Real values in example bodies, so that their variants get past the first check. */
  const realValues: Record<string, Record<string, unknown>> = {};

  const signUp = (name: string, clock: TestClock) => signUpPractice(server.url, name, clock);

  /**
   * Every row of every table, past row-level security, but for two things that change without any
   * request having changed data: the column `last_seen_at` (the session check of every signed-in
   * request moves it, by design, whether the request is then refused or not), and the table
   * `audit_checkpoints` (signed by the audit scheduler's timer, at any moment, for appends made
   * while setting up). Nothing else is left out: no refused request may write a row, an audit
   * entry or an alarm (the sweep's login starts name no existing account, so none is audited).
   */
  const snapshot = async () => {
    const tables = JSON.parse(await dumpRows(server.database, { omitColumns: ['last_seen_at'] })) as Record<
      string,
      string[]
    >;
    delete tables.audit_checkpoints;
    return tables;
  };
  const changedTables = (before: Record<string, string[]>, now: Record<string, string[]>) =>
    Object.keys({ ...before, ...now }).filter(
      (table) => JSON.stringify(before[table]) !== JSON.stringify(now[table]),
    );

  before(async () => {
    const clock = new TestClock();
    server = await createTestServer(
      // The sweep sends thousands of requests: the per-minute limit would stop it. Each one comes
      // from an address of its own, through the loopback as a trusted proxy (see nextClient).
      { TRESOR_PUBLIC_URL: PUBLIC_URL, TRESOR_RATE_LIMIT: '1000000000', TRESOR_TRUST_PROXY: '127.0.0.1' },
      { clock: clock.now },
    );
    base = new URL(server.url);
    primary = await signUp('praxis.sweep', clock);
    own.user = primary.userId;
    const { devices } = await primary.devices();
    own.device = devices[0]!.id;
    const patient = await primary.records.createPatient({
      givenName: 'Anna',
      familyName: 'Acker',
      birthDate: '1970-01-02',
      sex: 'female',
      insurance: { kvnr: 'A123456780' },
    });
    own.patient = patient.id;
    await primary.records.addEntry(patient.id, { kind: 'note', text: 'Sweep' });
    const document = await primary.records.uploadDocument(patient.id, {
      name: 'a.txt',
      type: 'text/plain',
      size: 3,
      stream: () => new Blob(['A A']).stream(),
    });
    own.completeDocument = document.id;
    // An upload in progress (no chunk stored yet), for the chunk routes.
    own.uploadingDocument = randomUUID();
    const started = await fetch(`${server.url}/api/v1/patients/${patient.id}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${primary.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: own.uploadingDocument,
        meta: { v: 1, alg: 'A256GCM', kid: 'dk', nonce: 'AAAAAAAAAAAAAAAA', ct: 'A'.repeat(40) },
        size: 10,
        chunkSize: records.DOCUMENT_CHUNK_SIZE,
      }),
    });
    assert.equal(started.status, 201, await started.text());
    const invite = await primary.createInvite({ role: 'secondary', linkBase: `${PUBLIC_URL}/invite` });
    realValues['POST /api/v1/invites/accept'] = {
      practiceId: primary.practiceId,
      inviteId: invite.inviteId,
      token: invite.token,
    };
    await primary.addPasskey('Laptop', async (options) => new SoftAuthenticator(PUBLIC_URL).create(options));
    const credential = await primary.createBackupCredential('sweep', 'retention');
    backupToken = credential.token;
    const stored = await fetch(`${server.url}/api/v1/backup/objects/data/${own.object}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${backupToken}`, 'content-type': 'application/octet-stream' },
      body: 'backup bytes',
    });
    assert.equal(stored.status, 200, await stored.text());
  });
  after(async () => {
    agent.destroy();
    await server.close();
  });

  /** Path parameter values that reach the route: the caller's own things, or things that do not exist. */
  const goodParams = (method: string, path: string, hasJsonBody: boolean): Record<string, string> => {
    // Reads, and writes whose every variant is refused, get real targets (so they reach the
    // service); other writes (revoke, delete, approve, complete) get ids that name nothing,
    // since a variant they may legitimately ignore (a body on DELETE) would otherwise act.
    const real = method === 'GET' || method === 'HEAD' || hasJsonBody || RAW.has(`${method} ${path}`);
    const id = (() => {
      if (!real) return path.startsWith('/api/v1/passkeys/') ? 'sweepNoSuchPasskey' : freshId();
      if (path.startsWith('/api/v1/patients/{id}')) return own.patient;
      if (path.startsWith('/api/v1/documents/{id}')) {
        return method === 'PUT' ? own.uploadingDocument : own.completeDocument;
      }
      if (path.startsWith('/api/v1/devices/{id}')) return own.device;
      if (path.startsWith('/api/v1/users/{id}')) return own.user;
      return freshId();
    })();
    return {
      id,
      index: '0',
      kind: 'data',
      name: method === 'GET' || method === 'HEAD' ? own.object : 'sweep-no-such-object',
    };
  };

  const fill = (path: string, params: Record<string, string>) =>
    path.replace(/\{([^}]+)\}/g, (_, name: string) => params[name] ?? 'unknown');

  /** Every malformed request of one route in one mode. */
  function variantsFor(
    method: string,
    path: string,
    operation: Operation,
    signedIn: boolean,
    allMethods: readonly string[],
  ): Variant[] {
    const route = `${method} ${path}`;
    const parameters = operation.parameters ?? [];
    const pathParams = parameters.filter((p) => p.in === 'path');
    const queryParams = parameters.filter((p) => p.in === 'query');
    const bodySchema = operation.requestBody?.content['application/json']?.schema;
    const raw = RAW.has(route);
    const auth: Record<string, string> = signedIn
      ? { authorization: `Bearer ${backupTokenRoute(path) ? backupToken : primary.token}` }
      : {};
    const good = goodParams(method, path, bodySchema !== undefined);
    const goodQuery = queryParams
      .filter((p) => p.required === true)
      .map((p) => [p.name, encodeURIComponent(String(example(p.schema)))] as const);
    const queryString = (pairs: readonly (readonly [string, string])[]) =>
      pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`;
    const goodUrl = fill(path, good) + queryString(goodQuery);
    const baseBody =
      bodySchema === undefined ? undefined : { ...(example(bodySchema) as object), ...realValues[route] };
    if (bodySchema !== undefined) {
      assert.ok(bodyValid(bodySchema, baseBody), `${route}: the example body fits its schema`);
    }
    const json = (body: unknown) => ({ contentType: 'application/json', body: JSON.stringify(body) });
    /** The route's usual body: the example as JSON, a few raw bytes, or none. */
    const usual: { contentType?: string; body?: string } =
      baseBody !== undefined
        ? json(baseBody)
        : raw
          ? { contentType: 'application/octet-stream', body: 'xx' }
          : {};
    const variants: Variant[] = [];
    const add = (
      name: string,
      options: {
        url?: string;
        method?: string;
        contentType?: string | undefined;
        body?: string | Buffer | undefined;
        headers?: Record<string, string>;
        framing?: Variant['framing'];
        expect?: Expect;
        byValidation?: boolean;
      } = {},
    ) => {
      const hasOwn = (key: string) => Object.hasOwn(options, key);
      const contentType = hasOwn('contentType') ? options.contentType : usual.contentType;
      const body = hasOwn('body') ? options.body : usual.body;
      variants.push({
        name,
        method: options.method ?? method,
        url: options.url ?? goodUrl,
        headers: {
          ...(options.headers ?? auth),
          ...(contentType === undefined ? {} : { 'content-type': contentType }),
        },
        ...(body === undefined ? {} : { body }),
        ...(options.framing === undefined ? {} : { framing: options.framing }),
        expect: options.expect ?? 'error',
        byValidation: options.byValidation ?? true,
      });
    };

    // Path parameters: each one malformed in turn, the others fine.
    for (const param of pathParams) {
      if (param.schema.maximum !== undefined) {
        // The largest index the schema allows: beyond the document's chunks.
        add(`path ${param.name}: the schema's maximum`, {
          url: fill(path, { ...good, [param.name]: String(param.schema.maximum) }) + queryString(goodQuery),
          byValidation: false,
        });
      }
      for (const [label, value] of PATH_VALUES) {
        // A value the parameter's schema accepts is not bad input for it (a passkey id is free-form).
        // (An empty segment is sent anyway: it changes which route the router finds.)
        const fits = validates(param.schema, safeDecode(value), coercingAjv);
        if (value !== '' && fits) continue;
        const url = fill(path, { ...good, [param.name]: value }) + queryString(goodQuery);
        add(`path ${param.name}: ${label}`, { url, byValidation: !fits });
        // HEAD of a GET route (Fastify's, or a route of its own) judges the same parameters.
        if (method === 'GET') add(`HEAD, path ${param.name}: ${label}`, { url, method: 'HEAD' });
      }
    }
    // Query strings: each parameter malformed in turn, and repeated.
    for (const param of queryParams) {
      const others = goodQuery.filter(([name]) => name !== param.name);
      const schema: Schema = {
        type: 'object',
        properties: { [param.name]: param.schema },
        required: param.required === true ? [param.name] : [],
      };
      for (const [label, value] of QUERY_VALUES) {
        if (validates(schema, { [param.name]: safeDecode(value) }, coercingAjv)) continue;
        add(`query ${param.name}: ${label}`, {
          url: fill(path, good) + queryString([...others, [param.name, value]]),
        });
      }
      if (param.schema.maximum !== undefined) {
        // The largest value the schema allows: beyond anything stored, answered without a 5xx.
        add(`query ${param.name}: the schema's maximum`, {
          url: fill(path, good) + queryString([...others, [param.name, String(param.schema.maximum)]]),
          expect: method === 'GET' ? 'tolerated' : 'error',
          byValidation: false,
        });
      }
      add(`query ${param.name}: with __proto__ and constructor beside it`, {
        url: fill(path, good) + queryString([...goodQuery, ['__proto__', 'x'], ['constructor', 'y']]),
        expect: 'tolerated',
        byValidation: false,
      });
      const fine = encodeURIComponent(String(example(param.schema)));
      add(`query ${param.name}: repeated`, {
        url: fill(path, good) + queryString([...others, [param.name, fine], [param.name, fine]]),
      });
    }

    // Bodies.
    if (bodySchema !== undefined && baseBody !== undefined) {
      if (EXAMPLE_IS_BAD.has(route)) {
        add('body: the schema-valid example (placeholder crypto)', { byValidation: false });
      }
      add('body: not JSON', { body: '{"broken": ' });
      add('body: empty with a JSON content type', { body: '' });
      for (const [label, text] of [
        ['null', 'null'],
        ['an array', '[]'],
        ['a string', '"text"'],
        ['a number', '42'],
        ['{}', '{}'],
        ['__proto__', JSON.stringify(baseBody).replace(/^\{/, '{"__proto__":{"polluted":1},')],
        ['constructor.prototype', '{"constructor":{"prototype":{"polluted":1}}}'],
      ] as const) {
        add(`body: ${label}`, { body: text });
      }
      add('body: an unknown extra field', json({ ...(baseBody as object), sweepExtra: 1 }));
      add('body: missing', { contentType: undefined, body: undefined });
      add('content type: text/plain with a JSON body', { contentType: 'text/plain' });
      add('content type: application/octet-stream with a JSON body', {
        contentType: 'application/octet-stream',
      });
      add('content type: form with a JSON body', { contentType: 'application/x-www-form-urlencoded' });
      add('content type: none with a JSON body', { contentType: undefined });
      // (A malformed parameter, `application/json; charset`, is ignored by Fastify, as RFC 9110
      // lets it: the media type is still JSON. A malformed media type is refused.)
      add('content type: not a media type', { contentType: 'json' });
      add('content type: two media types', { contentType: 'application/json, text/plain' });
      add('framing: Content-Length shorter than the body', { framing: 'length-short' });
      add('framing: Content-Length longer, then the client stops', {
        framing: 'length-long-then-close',
        expect: 'error-or-closed',
      });

      // Each declared property in turn: wrong types and edge values, everything else fine.
      const properties = (schema: Schema, prefix: readonly (string | number)[], body: unknown) =>
        Object.entries(schema.properties ?? {}).map(([key, sub]) => ({
          at: [...prefix, key],
          schema: sub,
          body,
        }));
      const topLevel = properties(bodySchema, [], baseBody);
      // One level down (into an object, or an array's first item); an optional parent is filled in.
      const nested = topLevel.flatMap(({ at, schema }) => {
        const present = Object.hasOwn(baseBody, at[0]!);
        if (typesOf(schema).includes('object')) {
          const parent = schema.anyOf?.find((s) => s.type === 'object') ?? schema;
          return properties(parent, at, present ? baseBody : setAt(baseBody, at, example(parent)));
        }
        if (typesOf(schema).includes('array') && schema.items?.properties) {
          const items = schema.items;
          return properties(items, [...at, 0], present ? baseBody : setAt(baseBody, at, [example(items)]));
        }
        return [];
      });
      for (const { at, schema, body: baseBody } of [...topLevel, ...nested]) {
        const isTop = at.length === 1;
        const types = typesOf(schema);
        const field = at.join('.');
        // Values that are wrong by the schema: sent only if the whole body really is invalid.
        const wrong: [string, unknown][] = [
          ['null', null],
          ['a number', 12345],
          ['a string', 'x'],
          ['a boolean', true],
          ['an array', []],
          ['an object', {}],
        ];
        if (types.includes('integer') || types.includes('number')) {
          wrong.push(
            ['a number as a string', String(example(schema))],
            ['"NaN"', 'NaN'],
            ['"Infinity"', 'Infinity'],
            ['negative', -1],
            ['a fraction', 1.5],
          );
        }
        if (types.includes('string') && schema.maxLength !== undefined) {
          wrong.push(['one character too long', String(example(schema)).padEnd(schema.maxLength + 1, 'A')]);
        }
        if (schema.required !== undefined && schema.required.length > 0) wrong.push(['empty object', {}]);
        let wrongSent = 0;
        for (const [label, value] of wrong) {
          const body = setAt(baseBody, at, value);
          if (bodyValid(bodySchema, body)) continue;
          if (!isTop && wrongSent >= 2) break; // nested fields: a couple of wrong types suffice
          wrongSent++;
          add(`field ${field}: ${label}`, json(body));
        }
        if (isTop && bodySchema.required?.includes(at[0] as string)) {
          add(`field ${field}: missing`, json(without(baseBody, field)));
        }
        // Edge values: sent even where the schema lets them through; the service must refuse them.
        const edge = (label: string, body: string, parsed: unknown) => {
          add(`field ${field}: ${label}`, {
            contentType: 'application/json',
            body,
            byValidation: !bodyValid(bodySchema, parsed),
          });
        };
        if (types.includes('string') || isTop) {
          const withNul = types.includes('string') ? `${String(example(schema))}\u0000x` : 'a\u0000b';
          const body = setAt(baseBody, at, withNul);
          edge('a string with NUL', JSON.stringify(body), body);
        }
        if (types.includes('string')) {
          // `\ud800` alone is valid JSON but no Unicode text: stored, it would come back altered.
          const body = JSON.stringify(setAt(baseBody, at, `${String(example(schema))}${RAW_MARKER}`));
          edge('a lone UTF-16 surrogate', body.replace(RAW_MARKER, '\\ud800'), JSON.parse(body));
          // A byte that is not UTF-8 (a JSON text must be UTF-8): decoded, it would become U+FFFD.
          const [head = '', tail = ''] = body.split(RAW_MARKER);
          edge('a byte that is not UTF-8', '', JSON.parse(body));
          const last = variants[variants.length - 1]!;
          variants[variants.length - 1] = {
            ...last,
            body: Buffer.concat([Buffer.from(head), Buffer.from([0xff]), Buffer.from(tail)]),
          };
        }
        if (types.includes('integer') || types.includes('number')) {
          for (const [label, text] of RAW_NUMBERS) {
            const body = withRaw(baseBody, at, text);
            edge(label, body, JSON.parse(body));
          }
        }
        if (isTop) {
          add(`field ${field}: a 1 MiB string`, json(setAt(baseBody, at, 'A'.repeat(MIB))));
          const deepBody = setAt(baseBody, at, deep(1000));
          edge('nested 1000 levels deep', JSON.stringify(deepBody), deepBody);
          // (Judged by the 1000-level twin: ajv descends no deeper than the schema does.)
          edge('nested 100 000 levels deep', withRaw(baseBody, at, DEEP_TEXT), deepBody);
        }
      }
      // Objects that take unknown properties: one nested 100 000 levels deep in each.
      const fullBody = example(bodySchema, true);
      const full = bodyValid(bodySchema, fullBody) ? fullBody : baseBody;
      for (const at of openObjects(bodySchema, full)) {
        add(`open object ${at.join('.') || '(body)'}: an unknown property nested 100 000 levels deep`, {
          contentType: 'application/json',
          body: withRaw(full, [...at, 'sweepDeep'], DEEP_TEXT),
          byValidation: false,
        });
      }
    } else if (raw) {
      // The media type of a raw body is checked by the route (after authentication): 415 or 401.
      add('body: JSON where octet-stream is expected', { ...json({ bytes: 'xx' }), byValidation: false });
      add('body: text/plain where octet-stream is expected', {
        contentType: 'text/plain',
        body: 'xx',
        byValidation: false,
      });
      add('body: form where octet-stream is expected', {
        contentType: 'application/x-www-form-urlencoded',
        body: 'a=1',
      });
      add('body: not JSON with a JSON content type', { contentType: 'application/json', body: '{"a":' });
      // An empty backup object is a valid object; an empty chunk is not a chunk.
      if (!path.startsWith('/api/v1/backup/')) {
        add('body: missing', { contentType: undefined, body: undefined, byValidation: false });
        add('body: a chunk of the wrong size', { byValidation: false });
      }
      add('framing: Content-Length longer, then the client stops', {
        contentType: 'application/octet-stream',
        body: 'partial upload',
        framing: 'length-long-then-close',
        expect: 'error-or-closed',
        byValidation: false,
      });
    } else if (method === 'GET' || method === 'HEAD') {
      // A body on GET: HTTP gives it no meaning, so a server may ignore it (or refuse it).
      add('body on GET: JSON', { ...json({ ignored: true }), expect: 'tolerated' });
      add('body on GET: not JSON', { contentType: 'application/json', body: '{"a":', expect: 'tolerated' });
    } else {
      add('body where none is expected: not JSON', { contentType: 'application/json', body: '{"a":' });
      add('body where none is expected: XML', { contentType: 'application/xml', body: '<a/>' });
      add('body where none is expected: form', {
        contentType: 'application/x-www-form-urlencoded',
        body: 'a=1',
      });
    }

    // Generic: another method, a trailing slash, a broken Content-Length, credentials.
    const otherMethod = ['PATCH', 'PUT', 'DELETE', 'POST', 'GET'].find((m) => !allMethods.includes(m));
    if (otherMethod !== undefined) add(`method ${otherMethod} (not allowed here)`, { method: otherMethod });
    add('path with a trailing slash', { url: `${fill(path, good)}/${queryString(goodQuery)}` });
    add('path with a double slash', {
      url: fill(path, good).replace('/api/v1/', '/api/v1//') + queryString(goodQuery),
    });
    add('framing: Content-Length not a number', { framing: 'length-not-a-number' });
    add('a 20 000-character query string', {
      url: `${goodUrl}${goodUrl.includes('?') ? '&' : '?'}q=${'x'.repeat(20_000)}`,
    });
    if (method === 'GET' && pathParams.some((p) => p.name === 'name')) {
      // Ranges: one the object cannot satisfy is 416; others HTTP lets the server ignore (200).
      for (const range of [
        'bytes=1000000-',
        'bytes=999999999999999-',
        'bytes=abc',
        'bytes=5-1',
        'bytes=0-1,3-4',
        'pages=1-2',
      ]) {
        for (const m of ['GET', 'HEAD']) {
          add(`${m} with Range: ${range}`, {
            method: m,
            headers: { ...auth, range },
            expect: range.startsWith('bytes=1') || range.startsWith('bytes=9') ? 'error' : 'tolerated',
            byValidation: false,
          });
        }
      }
    }
    if (!signedIn && !PUBLIC.has(route)) {
      const credentials = (name: string, headers: Record<string, string>) => {
        add(`credentials: ${name}`, { headers, byValidation: false });
      };
      credentials('none', {});
      credentials('an overlong bearer token', { authorization: `Bearer ${'A'.repeat(4000)}` });
      credentials('Basic instead of Bearer', { authorization: 'Basic c3dlZXA6c3dlZXA=' });
      credentials('the other kind of token', {
        authorization: `Bearer ${backupTokenRoute(path) ? primary.token : backupToken}`,
      });
      credentials('a well-formed unknown session token', { authorization: `Bearer ${'A'.repeat(43)}` });
    }
    return variants;
  }

  it('refuses every malformed request with a 4xx in the error shape and changes nothing', async (t) => {
    const started = Date.now();
    const doc = (await (await fetch(`${server.url}/api/docs/json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const failures: string[] = [];
    const swept = new Set<string>();
    let requests = 0;
    const initial = await snapshot();
    let previous = initial;

    for (const [path, operations] of Object.entries(doc.paths)) {
      const inScope =
        (path.startsWith('/api/v1/') && !path.includes('/diagnostics/')) || path.startsWith('/_matrix/');
      if (!inScope) continue;
      const methods = Object.keys(operations).map((m) => m.toUpperCase());
      for (const [lower, operation] of Object.entries(operations)) {
        const method = lower.toUpperCase();
        const route = `${method} ${path}`;
        swept.add(route);
        for (const signedIn of [true, false]) {
          if (signedIn && SELF_ENDING.has(route)) continue;
          for (const variant of variantsFor(method, path, operation, signedIn, methods)) {
            requests++;
            // A passkey's answer is checked only against a registration in progress: start one.
            if (signedIn && route === 'POST /api/v1/passkeys') {
              const options = await fetch(`${server.url}/api/v1/passkeys/options`, {
                method: 'POST',
                headers: { authorization: `Bearer ${primary.token}` },
              });
              assert.equal(options.status, 200);
            }
            let answer: Answer | undefined;
            try {
              answer =
                variant.framing === undefined ? await send(base, variant) : await sendFramed(base, variant);
            } catch (error) {
              failures.push(
                `${route} [${signedIn ? 'signed in' : 'anonymous'}] ${variant.name}: no answer (${String(error)})`,
              );
              continue;
            }
            const problem = judge(variant, answer);
            if (problem !== undefined) {
              failures.push(
                `${route} [${signedIn ? 'signed in' : 'anonymous'}] ${variant.name}: ${problem}` +
                  `\n    ${variant.method} ${variant.url.slice(0, 120)} -> ${answer?.status ?? '-'} ${(answer?.text ?? '').slice(0, 300)}`,
              );
            }
          }
        }
        // Stored rows after each route: a change is pinned on the route that made it. A request
        // the client broke off may still be unwinding on the server: look again before blaming.
        let now = await snapshot();
        if (changedTables(previous, now).length > 0) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          now = await snapshot();
        }
        const changed = changedTables(previous, now);
        if (changed.length > 0) {
          const detail = changed
            .map((table) => {
              const was = new Set(previous[table]);
              const added = (now[table] ?? []).filter((row) => !was.has(row));
              return `${table}: ${added.map((row) => row.slice(0, 300)).join(' | ') || '(rows removed)'}`;
            })
            .join('\n    ');
          failures.push(`${route}: stored rows changed\n    ${detail}`);
        }
        previous = now;
      }
    }

    t.diagnostic(
      `${swept.size} routes, ${requests} requests, ${Math.round((Date.now() - started) / 1000)} s`,
    );
    for (const route of [...RAW, ...SELF_ENDING, 'POST /api/v1/patients/lookup', 'GET /api/v1/directory']) {
      assert.ok(swept.has(route), `${route} is in the OpenAPI document and swept`);
    }
    const changedOverall = changedTables(initial, await snapshot());
    if (changedOverall.length > 0) failures.push(`stored rows changed in: ${changedOverall.join(', ')}`);
    const stillSignedIn = await fetch(`${server.url}/api/v1/devices`, {
      headers: { authorization: `Bearer ${primary.token}` },
    });
    if (stillSignedIn.status !== 200) failures.push('the primary user was signed out during the sweep');
    assert.equal(
      failures.length,
      0,
      `${failures.length} malformed requests were not answered as they should be:\n${failures.join('\n')}`,
    );
  });
});
