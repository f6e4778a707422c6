import type { DeviceIdentity, DeviceKeyStore } from '@tresor/sdk';
import { type LocalDatabase, localDatabase, stores } from './local-database';

/**
 * This browser's device identity for one user (a device belongs to one user, so a shared practice
 * computer keeps one identity per login name) in IndexedDB. The SDK creates the ECDSA P-256 key pair with a
 * non-extractable private key; IndexedDB stores the CryptoKey object itself (structured clone), so
 * the device stays registered across reloads while its private key can never be read out by
 * script, only used to sign the server's login challenges.
 */
export class IndexedDbDeviceKeyStore implements DeviceKeyStore {
  readonly #key: string;

  constructor(
    username: string,
    private readonly database: LocalDatabase = localDatabase,
  ) {
    this.#key = username.trim().toLowerCase();
  }

  async load(): Promise<DeviceIdentity | undefined> {
    const stored = await this.database.get<DeviceIdentity>(stores.device, this.#key);
    if (stored === undefined || !(stored.keyPair.privateKey instanceof CryptoKey)) return undefined;
    return stored;
  }

  async save(identity: DeviceIdentity): Promise<void> {
    if (identity.keyPair.privateKey.extractable) {
      throw new TypeError('a browser device key must be non-extractable');
    }
    await this.database.put(stores.device, this.#key, {
      deviceId: identity.deviceId,
      name: identity.name,
      keyPair: { publicKey: identity.keyPair.publicKey, privateKey: identity.keyPair.privateKey },
      publicKey: identity.publicKey,
    } satisfies DeviceIdentity);
  }
}

/** The device store of `username` in this browser. */
export function deviceKeyStoreFor(username: string): IndexedDbDeviceKeyStore {
  return new IndexedDbDeviceKeyStore(username);
}
