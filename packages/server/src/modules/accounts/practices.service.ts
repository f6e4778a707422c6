import type { accounts } from '@tresor/sdk/contract';
import {
  type Ed25519PublicKey,
  base64urlToBytes,
  grantSigningBytes,
  isEnvelope,
  verifySignature,
} from '@tresor/crypto';
import { AppError } from '../../platform/app-error.js';
import type { AccountsStore } from './accounts.store.js';
import type { AuditRecorder } from './audit-recorder.js';
import type { OpaqueServer } from './opaque-server.js';

/** Creating a practice with its first (primary) user and device, and OPAQUE registration. */
export class PracticesService {
  constructor(
    private readonly store: AccountsStore,
    private readonly opaque: OpaqueServer,
    private readonly audit: AuditRecorder,
  ) {}

  /** Every practice's id, for system jobs (see `AccountsStore.practiceIds`). */
  ids(): Promise<string[]> {
    return this.store.practiceIds();
  }

  registrationResponse(body: { username: string; registrationRequest: string }): {
    registrationResponse: string;
  } {
    try {
      return {
        registrationResponse: this.opaque.registrationResponse(body.username, body.registrationRequest),
      };
    } catch {
      throw new AppError('request.invalid', 'Invalid request: registrationRequest is not an OPAQUE message');
    }
  }

  async create(
    body: accounts.CreatePracticeBody,
  ): Promise<{ practiceId: string; userId: string; deviceId: string }> {
    const { practiceId, user, device, grant } = body;
    assertUserKeyMaterial(user);
    if (
      grant.practiceId !== practiceId ||
      grant.pkVersion !== 1 ||
      grant.recipientUserId !== user.userId ||
      grant.granterUserId !== user.userId ||
      !grantIsSignedBy(grant, user.signingPublicKey)
    ) {
      throw new AppError('grants.invalid');
    }
    return this.store.inPractice(practiceId, async (tx) => {
      if ((await tx.practice()) !== undefined) throw new AppError('accounts.practice_exists');
      if (!(await tx.addLookup('username', user.username, user.userId))) {
        throw new AppError('accounts.username_taken');
      }
      await tx.addPractice({ id: practiceId, name: body.practiceName });
      const added = await tx.addUserIfNew({
        id: user.userId,
        practiceId,
        username: user.username,
        role: 'primary',
        status: 'active',
        opaqueRecord: user.registrationRecord,
        userKeyByPassword: user.userKeyByPassword,
        userKeyByRecovery: user.userKeyByRecovery,
        privateKeys: user.privateKeys,
        encryptionPublicKey: user.encryptionPublicKey,
        signingPublicKey: user.signingPublicKey,
        recoveryPublicKey: user.recoveryPublicKey,
      });
      const deviceAdded =
        added &&
        (await tx.addDeviceIfNew(
          {
            id: device.deviceId,
            practiceId,
            userId: user.userId,
            name: device.name,
            publicKey: device.publicKey,
            status: 'approved',
          },
          user.userId,
        ));
      // Ids in use in any practice; throwing rolls back the practice and the username lookup.
      if (!deviceAdded) throw new AppError('accounts.id_taken');
      await tx.addGrant({
        pkVersion: 1,
        recipientUserId: user.userId,
        granterUserId: user.userId,
        body: grant,
      });
      const actor = { practiceId, actorUserId: user.userId, deviceId: device.deviceId };
      await this.audit.append(tx.scope, { ...actor, action: 'practice.created', targetId: practiceId });
      await this.audit.append(tx.scope, { ...actor, action: 'user.created', targetId: user.userId });
      await this.audit.append(tx.scope, { ...actor, action: 'device.approved', targetId: device.deviceId });
      await this.audit.append(tx.scope, { ...actor, action: 'practice_key.granted', targetId: user.userId });
      return { practiceId, userId: user.userId, deviceId: device.deviceId };
    });
  }
}

/** Envelopes must be well-formed and the public keys the right length; contents stay opaque. */
export function assertUserKeyMaterial(user: accounts.NewUser): void {
  const keysOk = [user.encryptionPublicKey, user.signingPublicKey, user.recoveryPublicKey].every(
    (key) => decodedLength(key) === 32,
  );
  const envelopesOk = [user.userKeyByPassword, user.userKeyByRecovery, user.privateKeys].every(isEnvelope);
  if (!keysOk || !envelopesOk) throw new AppError('accounts.invalid_key_material');
}

export function grantIsSignedBy(grant: accounts.GrantBody, signingPublicKey: string): boolean {
  const { signature, ...unsigned } = grant;
  const key = safeDecode(signingPublicKey);
  const sig = safeDecode(signature);
  if (key === undefined || sig === undefined) return false;
  return verifySignature(key as Ed25519PublicKey, grantSigningBytes(unsigned), sig);
}

function decodedLength(value: string): number {
  return safeDecode(value)?.length ?? -1;
}

function safeDecode(value: string): Uint8Array | undefined {
  try {
    return base64urlToBytes(value);
  } catch {
    return undefined;
  }
}
