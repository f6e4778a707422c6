import type { Role } from '../../platform/http/auth-guard.js';

export type { Role };
export type DeviceStatus = 'pending' | 'approved' | 'revoked';

export interface Practice {
  readonly id: string;
  readonly name: string;
  readonly requireTwoFactor: boolean;
  readonly currentPkVersion: number;
}

export interface User {
  readonly id: string;
  readonly practiceId: string;
  readonly username: string;
  readonly role: Role;
  readonly status: 'active' | 'removed';
  readonly opaqueRecord: string;
  readonly userKeyByPassword: unknown;
  readonly userKeyByRecovery: unknown;
  readonly privateKeys: unknown;
  readonly encryptionPublicKey: string;
  readonly signingPublicKey: string;
  readonly recoveryPublicKey: string;
  readonly totpSecretSealed: string | null;
  readonly totpLastStep: number | null;
  /** Envelope under the user key (the server cannot open it); null until first set. */
  readonly trustedGranters: unknown;
}

export interface Device {
  readonly id: string;
  readonly practiceId: string;
  readonly userId: string;
  readonly name: string;
  readonly publicKey: string;
  readonly status: DeviceStatus;
  readonly createdAt: Date;
  readonly lastSeenAt: Date | null;
}

export interface Session {
  readonly id: string;
  readonly practiceId: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
}

export interface StoredGrant {
  readonly pkVersion: number;
  readonly recipientUserId: string;
  readonly granterUserId: string;
  readonly body: unknown;
}

export interface Invite {
  readonly id: string;
  readonly practiceId: string;
  readonly role: Role;
  readonly createdBy: string;
  readonly expiresAt: Date;
  readonly acceptedAt: Date | null;
  readonly acceptedUserId: string | null;
  readonly revokedAt: Date | null;
}

/** An audit event as the accounts module reports it; the audit module chains and stores it. */
export interface AuditEvent {
  readonly practiceId: string;
  readonly actorUserId?: string;
  readonly deviceId?: string;
  readonly action: string;
  readonly targetId?: string;
  readonly ciphertextHash?: string;
}
