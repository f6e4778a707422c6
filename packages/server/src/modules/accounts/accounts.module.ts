import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../../platform/db/schema.js';
import { loadOrCreateSecret } from '../../platform/secrets/server-secret.js';
import { WebhookAlarmNotifier } from './alarm-webhook.js';
import { SecurityAlarms } from './security-alarms.js';
import type { AccountsServices } from './accounts.routes.js';
import { PgAccountsStore } from './accounts.store.pg.js';
import type { AuditRecorder } from './audit-recorder.js';
import { CredentialsService } from './credentials.service.js';
import { DevicesService } from './devices.service.js';
import { LoginThrottle } from './login-throttle.js';
import { LoginService } from './login.service.js';
import { OpaqueServer } from './opaque-server.js';
import { PracticesService } from './practices.service.js';
import { SecuritySettingsService } from './security-settings.service.js';
import { SessionsService } from './sessions.service.js';
import { TotpVerifier } from './totp.js';
import { InvitesService } from './invites.service.js';
import { MembersService } from './members.service.js';
import { PracticeKeysService } from './practice-keys.service.js';
import { PasskeysService } from './passkeys.service.js';
import { PgPasskeysStore } from './passkeys.store.pg.js';
import { WebAuthnRelyingParty } from './webauthn.js';

export interface AccountsModuleOptions {
  readonly db: Kysely<Schema>;
  /** Holds the OPAQUE server setup and the TOTP sealing key (`secrets/`, mode 0600). */
  readonly dataDir: string;
  readonly audit: AuditRecorder;
  readonly logger: FastifyBaseLogger;
  readonly alarmWebhook: string | undefined;
  /** Where users reach the web app: the passkeys' relying party (RP ID = host, origin). */
  readonly publicUrl: string;
  /** Time source for TOTP (tests move it forward); defaults to the system clock. */
  readonly clock?: () => number;
}

/** Wires the accounts module: server secrets, store, services. */
/** The accounts services, and the security alarms other parts of the server raise. */
export interface AccountsModule extends AccountsServices {
  readonly alarms: SecurityAlarms;
}

export async function createAccountsModule(options: AccountsModuleOptions): Promise<AccountsModule> {
  const freshSetup = await OpaqueServer.newSetup();
  const opaque = await OpaqueServer.create(
    await loadOrCreateSecret(options.dataDir, 'opaque-server-setup', () => freshSetup),
  );
  const totp = new TotpVerifier(
    Buffer.from(await loadOrCreateSecret(options.dataDir, 'totp-sealing.key'), 'base64url'),
    options.clock,
  );
  const store = new PgAccountsStore(options.db);
  const alarms = new SecurityAlarms(
    store,
    options.audit,
    new WebhookAlarmNotifier(options.alarmWebhook, options.logger),
  );
  const throttle = new LoginThrottle();
  const relyingParty = new WebAuthnRelyingParty(options.publicUrl);
  const passkeys = new PgPasskeysStore();
  const clock = options.clock;
  const now = clock && (() => new Date(clock()));
  return {
    practices: new PracticesService(store, opaque, options.audit),
    login: new LoginService(store, opaque, totp, throttle, options.audit, alarms, {
      passkeys,
      relyingParty,
    }),
    credentials: new CredentialsService(store, options.audit, throttle, opaque),
    security: new SecuritySettingsService(store, options.audit),
    sessions: new SessionsService(store, options.audit),
    devices: new DevicesService(store, options.audit),
    invites: new InvitesService(store, options.audit, now),
    members: new MembersService(store, options.audit, now),
    practiceKeys: new PracticeKeysService(store, options.audit),
    passkeys: new PasskeysService(store, passkeys, relyingParty, options.audit),
    alarms,
  };
}
