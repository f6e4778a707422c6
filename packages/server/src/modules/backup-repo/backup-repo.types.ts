import type { backup } from '@tresor/sdk/contract';

export type ObjectKind = backup.ObjectKind;
export type CredentialKind = 'agent' | 'retention';

export interface BackupCredential {
  readonly id: string;
  readonly practiceId: string;
  readonly name: string;
  readonly kind: CredentialKind;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

/** Who is calling with a backup token: an agent (append-only) or a retention credential. */
export interface BackupCaller {
  readonly practiceId: string;
  readonly credentialId: string;
  readonly kind: CredentialKind;
}

export interface BackupObject {
  readonly kind: ObjectKind;
  readonly name: string;
  /** Hex SHA-256 of the stored bytes: the blob's address. */
  readonly blobKey: string;
  readonly size: number;
  readonly createdAt: Date;
  readonly lockedUntil: Date;
  /**
   * The server's integrity scrub found the stored bytes no longer hash to `blobKey` (bit rot):
   * the agent stores the same bytes again (`replicate --repair`).
   */
  readonly damaged: boolean;
}

/** A cloud retention run's hold on the practice's backup repository (see the service). */
export interface RetentionLock {
  readonly id: string;
  readonly credentialId: string;
  readonly expiresAt: Date;
}
