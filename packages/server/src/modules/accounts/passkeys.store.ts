import type { PracticeScope } from '../../platform/db/tenant.js';
import type { PasskeyCredential } from './webauthn.js';

export interface StoredPasskey extends PasskeyCredential {
  readonly practiceId: string;
  readonly userId: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

/** Passkeys of a practice's users; every method runs in the caller's practice transaction. */
export interface PasskeysStore {
  /** False (nothing written) when a passkey with this id exists already. */
  add(scope: PracticeScope, passkey: Omit<StoredPasskey, 'createdAt' | 'lastUsedAt'>): Promise<boolean>;
  list(scope: PracticeScope, userId: string): Promise<StoredPasskey[]>;
  /** False when the user has no passkey with this id. */
  remove(scope: PracticeScope, userId: string, id: string): Promise<boolean>;
  /**
   * Records a use: the new signature counter must be higher than the stored one (or both 0, for
   * authenticators without a counter), so a cloned authenticator's stale answer writes nothing.
   */
  recordUse(scope: PracticeScope, id: string, signCount: number, at: Date): Promise<boolean>;
}
