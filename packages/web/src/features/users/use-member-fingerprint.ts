import { type AccountSession, memberFingerprint } from '@tresor/sdk';
import { useEffect, useState } from 'react';

/**
 * The fingerprint of a member's public keys as the server lists them, computed on this device; for
 * the user's own entry (`own` given) from the own key pair in memory instead.
 */
export function useMemberFingerprint(
  member: { readonly encryptionPublicKey: string; readonly signingPublicKey: string },
  own?: AccountSession,
): string | undefined {
  const { encryptionPublicKey, signingPublicKey } = member;
  const [fingerprint, setFingerprint] = useState<string | undefined>(undefined);
  useEffect(() => {
    let current = true;
    (own === undefined
      ? memberFingerprint({ encryptionPublicKey, signingPublicKey })
      : own.fingerprint()
    ).then(
      (value) => {
        if (current) setFingerprint(value);
      },
      () => {
        if (current) setFingerprint(undefined);
      },
    );
    return () => {
      current = false;
    };
  }, [encryptionPublicKey, signingPublicKey, own]);
  return fingerprint;
}
