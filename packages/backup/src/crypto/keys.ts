import { hkdfSync, randomBytes } from 'node:crypto';
import type { Brand } from '@tresor/crypto';

/** The random 32-byte repository master key. Lives only in key slots, wrapped; never on disk plain. */
export type MasterKey = Brand<Uint8Array, 'BackupMasterKey'>;
/** AES-256-GCM key for every blob and file of the repository, derived from the master key. */
export type EncryptionKey = Brand<Uint8Array, 'BackupEncryptionKey'>;
/** HMAC-SHA-256 key that turns plaintext into blob ids, derived from the master key. */
export type IdKey = Brand<Uint8Array, 'BackupIdKey'>;
/** Key-encryption key derived from a passphrase with Argon2id; wraps the master key in one slot. */
export type SlotKey = Brand<Uint8Array, 'BackupSlotKey'>;

export const KEY_LENGTH = 32;

/** Everything the engine needs, derived once when the repository is opened. */
export interface RepositoryKeys {
  readonly encryption: EncryptionKey;
  readonly id: IdKey;
  /** The chunker's gear table: per repository, so chunk boundaries are not comparable across repositories. */
  readonly gear: Uint32Array;
}

export function generateMasterKey(): MasterKey {
  return new Uint8Array(randomBytes(KEY_LENGTH)) as MasterKey;
}

export function masterKeyFromBytes(bytes: Uint8Array): MasterKey {
  if (bytes.length !== KEY_LENGTH) throw new RangeError('a master key is 32 bytes');
  return new Uint8Array(bytes) as MasterKey;
}

function hkdf(master: MasterKey, repositoryId: string, label: string, length: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', master, repositoryId, `tresor-backup/v1/${label}`, length));
}

/** HKDF-SHA-256(ikm = master key, salt = repository id, info = `tresor-backup/v1/<label>`). */
export function deriveRepositoryKeys(master: MasterKey, repositoryId: string): RepositoryKeys {
  const gearBytes = hkdf(master, repositoryId, 'gear', 256 * 4);
  const gear = new Uint32Array(256);
  const view = new DataView(gearBytes.buffer, gearBytes.byteOffset, gearBytes.byteLength);
  for (let i = 0; i < 256; i++) gear[i] = view.getUint32(i * 4, true);
  return {
    encryption: hkdf(master, repositoryId, 'encryption', KEY_LENGTH) as EncryptionKey,
    id: hkdf(master, repositoryId, 'blob-id', KEY_LENGTH) as IdKey,
    gear,
  };
}
