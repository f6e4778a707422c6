/** This device's identity: its id, name and ECDSA P-256 key pair (private key non-extractable in browsers). */
export interface DeviceIdentity {
  readonly deviceId: string;
  readonly name: string;
  readonly keyPair: CryptoKeyPair;
  /** base64url SPKI of the public key, as registered with the server. */
  readonly publicKey: string;
}

/** Where a client keeps its device identity: IndexedDB in browsers, a file for Node tools. */
export interface DeviceKeyStore {
  load(): Promise<DeviceIdentity | undefined>;
  save(identity: DeviceIdentity): Promise<void>;
}

/** Keeps the identity in memory only (tests, short-lived tools). */
export class MemoryDeviceKeyStore implements DeviceKeyStore {
  #identity: DeviceIdentity | undefined;

  async load(): Promise<DeviceIdentity | undefined> {
    return this.#identity;
  }

  async save(identity: DeviceIdentity): Promise<void> {
    this.#identity = identity;
  }
}
