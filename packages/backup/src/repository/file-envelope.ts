import { DecryptionFailed, aeadOpen, aeadSeal } from '../crypto/aead.js';
import type { EncryptionKey } from '../crypto/keys.js';

/**
 * The encrypted form of every repository file and pack header: one version byte, then
 * AES-256-GCM `nonce ‖ ciphertext ‖ tag` with AAD `tresor-backup/v1/file/<kind>` ‖ version, so a
 * snapshot cannot be passed off as an index or a pack header and vice versa.
 */
export type EnvelopeKind = 'index' | 'snapshot' | 'pack-header' | 'dir-cache';

export const ENVELOPE_VERSION = 1;

function aad(kind: EnvelopeKind, version: number): Uint8Array {
  return Buffer.from(`tresor-backup/v1/file/${kind}\u0000${String.fromCharCode(version)}`, 'latin1');
}

export function sealFile(key: EncryptionKey, kind: EnvelopeKind, plaintext: Uint8Array): Uint8Array {
  const sealed = aeadSeal(key, plaintext, aad(kind, ENVELOPE_VERSION));
  const out = new Uint8Array(1 + sealed.length);
  out[0] = ENVELOPE_VERSION;
  out.set(sealed, 1);
  return out;
}

/** @throws DecryptionFailed if the bytes are not a sealed file of this kind under this key. */
export function openFile(key: EncryptionKey, kind: EnvelopeKind, bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== ENVELOPE_VERSION) throw new DecryptionFailed();
  return aeadOpen(key, bytes.subarray(1), aad(kind, ENVELOPE_VERSION));
}
