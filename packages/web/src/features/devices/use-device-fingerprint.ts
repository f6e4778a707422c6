import { deviceFingerprint } from '@tresor/sdk';
import { useEffect, useState } from 'react';

/** The fingerprint of a device's public key, computed on this device. */
export function useDeviceFingerprint(publicKey: string): string | undefined {
  const [fingerprint, setFingerprint] = useState<string | undefined>(undefined);
  useEffect(() => {
    let current = true;
    deviceFingerprint(publicKey).then(
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
  }, [publicKey]);
  return fingerprint;
}
