import { exportDevicePublicKey, generateDeviceKeyPair } from '@tresor/crypto';
import type { DeviceIdentity, DeviceKeyStore } from './device-key-store.js';

/** This device's identity from the store, or a fresh one (saved) when there is none. */
export async function ensureDeviceIdentity(
  store: DeviceKeyStore,
  name: string,
  options: { extractable?: boolean } = {},
): Promise<{ identity: DeviceIdentity; isNew: boolean }> {
  const existing = await store.load();
  if (existing !== undefined) return { identity: existing, isNew: false };
  const keyPair = await generateDeviceKeyPair({ extractable: options.extractable ?? false });
  const identity: DeviceIdentity = {
    deviceId: globalThis.crypto.randomUUID(),
    name,
    keyPair,
    publicKey: await exportDevicePublicKey(keyPair.publicKey),
  };
  await store.save(identity);
  return { identity, isNew: true };
}
