import { randomBytes } from 'node:crypto';
import { argon2id } from 'hash-wasm';
import { DecryptionFailed, SEAL_OVERHEAD, aeadOpen, aeadSeal } from './aead.js';
import { KEY_LENGTH, type MasterKey, type SlotKey, masterKeyFromBytes } from './keys.js';

/** Argon2id cost of one key slot. Stored in the slot, so slots of different cost can coexist. */
export interface KdfParams {
  /** Memory in KiB. */
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

/** RFC 9106's second recommended option (64 MiB, t = 3), with p = 1: about 1.5 s here. */
export const DEFAULT_KDF: KdfParams = { memoryKiB: 64 * 1024, iterations: 3, parallelism: 1 };
/** Floor for `--kdf-memory`/`--kdf-iterations`: OWASP's lowest Argon2id row is 19 MiB, t = 2; this is for tests only. */
export const MIN_KDF: KdfParams = { memoryKiB: 8 * 1024, iterations: 1, parallelism: 1 };

/** A key slot as stored in `keys/<slot id>`: JSON, self-describing and versioned. */
export interface KeySlotFile {
  readonly v: 1;
  readonly alg: 'A256GCM';
  readonly kdf: {
    readonly alg: 'argon2id';
    readonly memoryKiB: number;
    readonly iterations: number;
    readonly parallelism: number;
    readonly salt: string;
  };
  /** nonce ‖ wrapped master key ‖ tag, base64url. */
  readonly ct: string;
  readonly createdAt: string;
  readonly hostname: string;
  readonly username: string;
}

export interface SlotLabel {
  readonly createdAt: string;
  readonly hostname: string;
  readonly username: string;
}

const SALT_LENGTH = 16;

/** Passphrases are compared after Unicode NFC normalisation: "ü" typed on macOS and on Windows is the same. */
export function normalizePassphrase(passphrase: string): string {
  return passphrase.normalize('NFC');
}

/** Argon2id (RFC 9106) in WebAssembly: about three times the speed of a pure-JS implementation. */
async function deriveSlotKey(passphrase: string, salt: Uint8Array, params: KdfParams): Promise<SlotKey> {
  const key = await argon2id({
    password: normalizePassphrase(passphrase),
    salt,
    memorySize: params.memoryKiB,
    iterations: params.iterations,
    parallelism: params.parallelism,
    hashLength: KEY_LENGTH,
    outputType: 'binary',
  });
  return key as SlotKey;
}

function slotAad(repositoryId: string, kdf: KeySlotFile['kdf']): Uint8Array {
  return Buffer.from(
    JSON.stringify([
      'tresor-backup/key-slot/v1',
      repositoryId,
      kdf.memoryKiB,
      kdf.iterations,
      kdf.parallelism,
      kdf.salt,
    ]),
  );
}

export function checkKdfParams(params: KdfParams): void {
  const ok =
    Number.isInteger(params.memoryKiB) &&
    Number.isInteger(params.iterations) &&
    Number.isInteger(params.parallelism) &&
    params.memoryKiB >= MIN_KDF.memoryKiB &&
    params.memoryKiB <= 4 * 1024 * 1024 &&
    params.iterations >= MIN_KDF.iterations &&
    params.iterations <= 100 &&
    params.parallelism >= 1 &&
    params.parallelism <= 16;
  if (!ok) throw new RangeError('Argon2id parameters out of range');
}

/** Wraps the master key under a key derived from `passphrase`. Takes about a second by design. */
export async function createKeySlot(
  master: MasterKey,
  passphrase: string,
  repositoryId: string,
  params: KdfParams,
  label: SlotLabel,
): Promise<KeySlotFile> {
  checkKdfParams(params);
  const salt = randomBytes(SALT_LENGTH);
  const kdf = {
    alg: 'argon2id',
    memoryKiB: params.memoryKiB,
    iterations: params.iterations,
    parallelism: params.parallelism,
    salt: salt.toString('base64url'),
  } as const;
  const slotKey = await deriveSlotKey(passphrase, salt, params);
  const ct = aeadSeal(slotKey, master, slotAad(repositoryId, kdf));
  slotKey.fill(0);
  return { v: 1, alg: 'A256GCM', kdf, ct: Buffer.from(ct).toString('base64url'), ...label };
}

/**
 * Unwraps the master key with `passphrase`.
 * @returns undefined if the passphrase does not open this slot.
 */
export async function openKeySlot(
  slot: KeySlotFile,
  passphrase: string,
  repositoryId: string,
): Promise<MasterKey | undefined> {
  const salt = Buffer.from(slot.kdf.salt, 'base64url');
  const slotKey = await deriveSlotKey(passphrase, salt, slot.kdf);
  try {
    const bytes = aeadOpen(slotKey, Buffer.from(slot.ct, 'base64url'), slotAad(repositoryId, slot.kdf));
    const master = masterKeyFromBytes(bytes);
    bytes.fill(0);
    return master;
  } catch (error) {
    if (error instanceof DecryptionFailed) return undefined;
    throw error;
  } finally {
    slotKey.fill(0);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Strict shape check of an untrusted key slot file. @returns the slot, or a reason it is refused. */
export function parseKeySlot(value: unknown): KeySlotFile | { readonly invalid: string } {
  if (!isRecord(value)) return { invalid: 'not a JSON object' };
  if (typeof value.v === 'number' && value.v > 1) return { invalid: `key slot version ${value.v} is newer` };
  const { kdf } = value;
  if (value.v !== 1 || value.alg !== 'A256GCM' || !isRecord(kdf) || kdf.alg !== 'argon2id') {
    return { invalid: 'unknown key slot format' };
  }
  const params = { memoryKiB: kdf.memoryKiB, iterations: kdf.iterations, parallelism: kdf.parallelism };
  try {
    checkKdfParams(params as KdfParams);
  } catch {
    return { invalid: 'Argon2id parameters out of range' };
  }
  if (typeof kdf.salt !== 'string' || Buffer.from(kdf.salt, 'base64url').length !== SALT_LENGTH) {
    return { invalid: 'bad salt' };
  }
  if (
    typeof value.ct !== 'string' ||
    Buffer.from(value.ct, 'base64url').length !== KEY_LENGTH + SEAL_OVERHEAD
  ) {
    return { invalid: 'bad wrapped key' };
  }
  const text = (field: unknown) => (typeof field === 'string' ? field : '');
  return {
    v: 1,
    alg: 'A256GCM',
    kdf: { alg: 'argon2id', ...(params as KdfParams), salt: kdf.salt },
    ct: value.ct,
    createdAt: text(value.createdAt),
    hostname: text(value.hostname),
    username: text(value.username),
  };
}
