import { ed25519 } from '@noble/curves/ed25519.js';
import { utf8ToBytes } from '../encoding.js';
import { hkdfSha256 } from './hkdf.js';
import type { Ed25519PrivateKey, Ed25519PublicKey, RecoveryCode } from './key-types.js';
import { recoveryCodeBytes } from './recovery-code.js';

/**
 * The Ed25519 key pair a recovery code stands for. Its public key is registered with the
 * server; during recovery the client signs the server's challenge with the private key, so
 * the server can check the code without ever seeing it:
 * seed = HKDF(ikm = the code's 20 bytes, salt = utf8('tresor/recovery-signing/v1'), info = utf8(userId), 32).
 */
export async function deriveRecoverySigningKeyPair(
  code: RecoveryCode,
  userId: string,
): Promise<{ publicKey: Ed25519PublicKey; privateKey: Ed25519PrivateKey }> {
  if (userId.length === 0) throw new TypeError('userId must be a non-empty string');
  const seed = await hkdfSha256(
    recoveryCodeBytes(code),
    utf8ToBytes('tresor/recovery-signing/v1'),
    utf8ToBytes(userId),
    32,
  );
  return { privateKey: seed as Ed25519PrivateKey, publicKey: ed25519.getPublicKey(seed) as Ed25519PublicKey };
}
