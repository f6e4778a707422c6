import assert from 'node:assert/strict';
import { dumpRows } from './database-dump.js';
import {
  type AcceptedInvite,
  type AccountSession,
  HttpClient,
  MemoryDeviceKeyStore,
  acceptInvite,
  type KeyVersionMemory,
  createPractice,
  login,
  memberFingerprint,
} from '@tresor/sdk';
import { sql, type Transaction } from 'kysely';
import type { Schema } from '../platform/db/schema.js';
import { recordingFetch } from './recording-fetch.js';
import { type TestServer, createTestServer } from './test-server.js';
import { TestClock, totpCode } from './totp-codes.js';

export const LINK_BASE = 'https://praxis.example/einladung';

export { rejectsWith } from './assertions.js';

export interface RawAnswer {
  readonly status: number;
  readonly code: string | undefined;
  readonly body: unknown;
}

export interface Person {
  readonly username: string;
  readonly password: string;
  readonly devices: MemoryDeviceKeyStore;
  /** Pinned granter keys from the invite link (empty for the practice's founder). */
  readonly trustedGranters: ReadonlyMap<string, string>;
  readonly accepted?: AcceptedInvite;
  recoveryCode: string;
}

/**
 * A practice on a real test server, with people who sign in with TOTP (the clock moves one time
 * step per code), join through invites, and a recording of every request body for the
 * zero-knowledge checks.
 */
export class MembersFixture {
  readonly people = new Map<string, Person>();
  private readonly totpSecrets = new Map<string, string>();

  private constructor(
    readonly server: TestServer,
    readonly http: HttpClient,
    readonly clock: TestClock,
    /** Every request body the SDK sent. */
    readonly recorded: readonly string[],
  ) {}

  static async start(env: Record<string, string> = {}): Promise<MembersFixture> {
    const clock = new TestClock();
    const server = await createTestServer(env, { clock: clock.now });
    const recorder = recordingFetch();
    const http = new HttpClient({ baseUrl: server.url, fetch: recorder.fetch });
    return new MembersFixture(server, http, clock, recorder.bodies);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  person(username: string): Person {
    const person = this.people.get(username);
    assert.ok(person, `unknown person ${username}`);
    return person;
  }

  /** A new practice with its primary user, signed in. */
  async found(practiceName: string, username: string): Promise<AccountSession> {
    const person: Person = {
      username,
      password: `${username} secret password`,
      devices: new MemoryDeviceKeyStore(),
      trustedGranters: new Map(),
      recoveryCode: '',
    };
    const created = await createPractice(this.http, {
      practiceName,
      username,
      password: person.password,
      deviceName: 'Empfang',
      devices: person.devices,
    });
    person.recoveryCode = created.recoveryCode;
    this.people.set(username, person);
    return this.signIn(username);
  }

  signIn(
    username: string,
    options: {
      trustedGranters?: ReadonlyMap<string, string>;
      devices?: MemoryDeviceKeyStore;
      keyVersions?: KeyVersionMemory;
    } = {},
  ) {
    const person = this.person(username);
    return login(this.http, {
      username,
      password: person.password,
      devices: options.devices ?? person.devices,
      deviceName: 'Arbeitsplatz',
      trustedGranters: options.trustedGranters ?? person.trustedGranters,
      ...(options.keyVersions === undefined ? {} : { keyVersions: options.keyVersions }),
      secondFactor: async (prompt) => {
        if (prompt.kind === 'totp_enrolment') this.totpSecrets.set(username, prompt.secret);
        this.clock.advance(30_000);
        return totpCode(this.totpSecrets.get(username) ?? '', this.clock.now());
      },
    });
  }

  /** Invite link from `primary`, accepted by a new person (who holds no practice key yet). */
  async join(primary: AccountSession, username: string, role: 'primary' | 'secondary' = 'secondary') {
    const invite = await primary.createInvite({ role, linkBase: LINK_BASE });
    return { invite, accepted: await this.accept(invite.link, username) };
  }

  /** A new person accepts an invite link on a new device. */
  async accept(link: string, username: string): Promise<AcceptedInvite> {
    const password = `${username} secret password`;
    const devices = new MemoryDeviceKeyStore();
    const accepted = await acceptInvite(this.http, {
      link,
      username,
      password,
      deviceName: 'Sprechzimmer',
      devices,
    });
    this.people.set(username, {
      username,
      password,
      devices,
      trustedGranters: accepted.trustedGranters,
      accepted,
      recoveryCode: accepted.recoveryCode,
    });
    return accepted;
  }

  /** Join, compare fingerprints as both screens would, hand over the key, sign in. */
  async onboard(primary: AccountSession, username: string, role: 'primary' | 'secondary' = 'secondary') {
    const { accepted } = await this.join(primary, username, role);
    const { invites } = await primary.invites();
    const invitee = invites.find((i) => i.invitee?.userId === accepted.userId)?.invitee;
    assert.ok(invitee);
    const shownToPrimary = await memberFingerprint(invitee);
    assert.equal(shownToPrimary, accepted.fingerprint, 'both screens show the same fingerprint');
    await primary.grantPracticeKey(accepted.userId, shownToPrimary);
    return this.signIn(username);
  }

  /** A request as a hand-written client would send it. */
  async raw(
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<RawAnswer> {
    const text = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const res = await fetch(`${this.server.url}${path}`, {
      method,
      headers: {
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: text }),
    });
    const body = (await res.json()) as { error?: { code?: string } };
    return { status: res.status, code: body.error?.code, body };
  }

  /** Work as the database owner, outside row-level security (what a malicious operator could do). */
  asOwner<T>(work: (trx: Transaction<Schema>) => Promise<T>): Promise<T> {
    return this.server.database.db.transaction().execute(async (trx) => {
      await sql`reset role`.execute(trx);
      return work(trx);
    });
  }

  /** Every row of the accounts tables and the lookups (without read-time columns), for "nothing changed". */
  /** Every stored row (last-seen times left out): equal before and after means nothing changed. */
  snapshot(): Promise<string> {
    return dumpRows(this.server.database, { omitColumns: ['last_seen_at'] });
  }

  /** Every stored row, as one string, for the zero-knowledge checks. */
  dump(): Promise<string> {
    return this.asOwner(async (trx) => {
      const { rows: tables } = await sql<{ tablename: string }>`
        select tablename from pg_tables where schemaname = 'public' order by tablename`.execute(trx);
      const rows: unknown[] = [];
      for (const { tablename } of tables) {
        rows.push(...(await sql`select * from ${sql.table(tablename)}`.execute(trx)).rows);
      }
      return JSON.stringify(rows);
    });
  }
}
