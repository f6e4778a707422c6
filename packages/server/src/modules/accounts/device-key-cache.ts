import type { webcrypto } from 'node:crypto';
import { importDevicePublicKey, verifyDeviceSignatureWithKey } from '@tresor/crypto';
import type { Device } from './accounts.types.js';

const DEFAULT_CAPACITY = 10_000;

type DevicePublicKey = webcrypto.CryptoKey;

/**
 * Verifies device proofs with imported public keys kept per device (importing a P-256 key costs
 * about as much as verifying with it). Keyed by device id and key, least recently used evicted.
 */
export class DeviceKeyCache {
  private readonly keys = new Map<string, Promise<DevicePublicKey | undefined>>();

  constructor(private readonly capacity: number = DEFAULT_CAPACITY) {}

  async verify(device: Pick<Device, 'id' | 'publicKey'>, challenge: Uint8Array, signature: Uint8Array) {
    const key = await this.keyOf(device);
    return key !== undefined && verifyDeviceSignatureWithKey(key, challenge, signature);
  }

  private keyOf(device: Pick<Device, 'id' | 'publicKey'>): Promise<DevicePublicKey | undefined> {
    const id = `${device.id}:${device.publicKey}`;
    const cached = this.keys.get(id);
    if (cached !== undefined) {
      this.keys.delete(id);
      this.keys.set(id, cached);
      return cached;
    }
    const imported: Promise<DevicePublicKey | undefined> = importDevicePublicKey(device.publicKey).then(
      (key: DevicePublicKey) => key,
      () => undefined,
    );
    this.keys.set(id, imported);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next();
      if (oldest.done !== true) this.keys.delete(oldest.value);
    }
    return imported;
  }
}
