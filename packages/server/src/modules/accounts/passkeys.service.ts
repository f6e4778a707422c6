import type { passkeys } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import type { AuthContext } from '../../platform/http/auth-guard.js';
import type { AccountsStore } from './accounts.store.js';
import type { AuditRecorder } from './audit-recorder.js';
import type { PasskeysStore, StoredPasskey } from './passkeys.store.js';
import { PendingStore } from './pending-logins.js';
import type { WebAuthnRelyingParty } from './webauthn.js';

const REGISTRATION_TTL_MS = 5 * 60 * 1000;

/**
 * A user's passkeys, the second factor that may replace the TOTP code. Registered from a signed-in
 * session (so after a login with password and TOTP); the server keeps public keys only.
 */
export class PasskeysService {
  /** Pending registration challenges by session. */
  private readonly pending = new PendingStore<string>(REGISTRATION_TTL_MS);

  constructor(
    private readonly store: AccountsStore,
    private readonly passkeys: PasskeysStore,
    private readonly relyingParty: WebAuthnRelyingParty,
    private readonly audit: AuditRecorder,
  ) {}

  async registrationOptions(auth: AuthContext): Promise<passkeys.PasskeyCreationOptions> {
    const { user, existing } = await this.store.inPractice(auth.practiceId, async (tx) => ({
      user: await tx.user(auth.userId),
      existing: await this.passkeys.list(tx.scope, auth.userId),
    }));
    if (user === undefined) throw new AppError('auth.unauthenticated');
    const options = await this.relyingParty.creationOptions(user, existing);
    this.pending.set(auth.sessionId, options.challenge);
    return options;
  }

  async register(auth: AuthContext, body: passkeys.AddPasskeyBody): Promise<passkeys.PasskeyView> {
    const challenge = this.pending.take(auth.sessionId);
    if (challenge === undefined) throw new AppError('passkey.registration_expired');
    const passkey = await this.relyingParty.verifyAttestation(body.attestation, challenge);
    if (passkey === undefined) throw new AppError('passkey.registration_invalid');
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const stored = { ...passkey, practiceId: auth.practiceId, userId: auth.userId, name: body.name };
      if (!(await this.passkeys.add(tx.scope, stored))) throw new AppError('passkey.registration_invalid');
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: 'auth.passkey_added',
        targetId: auth.userId,
      });
      const [added] = (await this.passkeys.list(tx.scope, auth.userId)).filter((p) => p.id === passkey.id);
      if (added === undefined) throw new AppError('passkey.registration_invalid');
      return toView(added);
    });
  }

  list(auth: AuthContext): Promise<passkeys.PasskeyView[]> {
    return this.store.inPractice(auth.practiceId, async (tx) =>
      (await this.passkeys.list(tx.scope, auth.userId)).map(toView),
    );
  }

  remove(auth: AuthContext, id: string): Promise<void> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      if (!(await this.passkeys.remove(tx.scope, auth.userId, id))) throw new AppError('passkey.not_found');
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: 'auth.passkey_removed',
        targetId: auth.userId,
      });
    });
  }
}

function toView(passkey: StoredPasskey): passkeys.PasskeyView {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
  };
}
