/**
 * Signed checkpoints of a practice's audit log: the server signs (Ed25519) the Merkle root and
 * the chain head at a tree size. A client that remembers one checkpoint can later demand a
 * consistency proof to the newest one: a log rewritten behind its back cannot produce it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Brand } from '../brand.js';
import { base64urlToBytes, bytesToBase64url, hexToBytes, utf8ToBytes } from '../encoding.js';
import { isAuditHash } from './entry.js';
import { verifyConsistency } from './merkle.js';

export const AUDIT_CHECKPOINT_FORMAT = 'tresor/audit-checkpoint/v1';

/** The server's Ed25519 public key that signs audit checkpoints (32 bytes). */
export type AuditSigningPublicKey = Brand<Uint8Array, 'AuditSigningPublicKey'>;

export interface AuditCheckpointBody {
  readonly practiceId: string;
  /** Number of entries covered: seq 1 … treeSize. */
  readonly treeSize: number;
  /** Lowercase hex RFC 6962 Merkle root over the canonical bytes of entries 1 … treeSize. */
  readonly rootHash: string;
  /** Lowercase hex chain hash of entry treeSize (32 zero bytes for an empty log). */
  readonly chainHead: string;
  /** ISO 8601 UTC time of signing. */
  readonly createdAt: string;
}

export interface AuditCheckpoint extends AuditCheckpointBody {
  /** base64url Ed25519 signature over `auditCheckpointMessage(body)`. */
  readonly signature: string;
}

/** Holds the server's signing key; `sign` is only ever given checkpoint messages. */
export interface AuditSigner {
  readonly publicKey: AuditSigningPublicKey;
  sign(message: Uint8Array): Uint8Array;
}

export const AUDIT_SIGNING_SEED_BYTES = 32;

/** Checks length and curve encoding; throws a TypeError for anything else. */
export function auditSigningPublicKey(bytes: Uint8Array): AuditSigningPublicKey {
  if (bytes.length !== 32) throw new TypeError('an Ed25519 public key has 32 bytes');
  try {
    ed25519.Point.fromBytes(bytes);
  } catch {
    throw new TypeError('not an Ed25519 public key');
  }
  return bytes.slice() as AuditSigningPublicKey;
}

/** An Ed25519 signer from a 32-byte secret seed (RFC 8032 private key). */
export function auditSignerFromSeed(seed: Uint8Array): AuditSigner {
  if (seed.length !== AUDIT_SIGNING_SEED_BYTES) throw new TypeError('an Ed25519 seed has 32 bytes');
  const secret = seed.slice();
  const publicKey = auditSigningPublicKey(ed25519.getPublicKey(secret));
  return { publicKey, sign: (message) => ed25519.sign(message, secret) };
}

/** The bytes a checkpoint signature covers. */
export function auditCheckpointMessage(body: AuditCheckpointBody): Uint8Array {
  return utf8ToBytes(
    JSON.stringify([
      AUDIT_CHECKPOINT_FORMAT,
      body.practiceId,
      body.treeSize,
      body.rootHash,
      body.chainHead,
      body.createdAt,
    ]),
  );
}

export function signAuditCheckpoint(body: AuditCheckpointBody, signer: AuditSigner): AuditCheckpoint {
  const { practiceId, treeSize, rootHash, chainHead, createdAt } = body;
  const signature = bytesToBase64url(signer.sign(auditCheckpointMessage(body)));
  return { practiceId, treeSize, rootHash, chainHead, createdAt, signature };
}

/** True when the checkpoint is well formed and signed by `publicKey`. */
export function verifyAuditCheckpointSignature(
  checkpoint: AuditCheckpoint,
  publicKey: AuditSigningPublicKey,
): boolean {
  if (!Number.isSafeInteger(checkpoint.treeSize) || checkpoint.treeSize < 0) return false;
  if (!isAuditHash(checkpoint.rootHash) || !isAuditHash(checkpoint.chainHead)) return false;
  try {
    const signature = base64urlToBytes(checkpoint.signature);
    if (signature.length !== 64) return false;
    return ed25519.verify(signature, auditCheckpointMessage(checkpoint), publicKey, { zip215: false });
  } catch {
    return false;
  }
}

export type CheckpointConsistency =
  | { readonly ok: true; readonly checkpoint: AuditCheckpoint }
  | {
      readonly ok: false;
      readonly reason:
        'checkpoint_signature' | 'wrong_practice' | 'truncated' | 'inconsistent_with_remembered';
      readonly detail: string;
    };

/**
 * What a client runs when it sees a new checkpoint: both checkpoints are signed by the pinned
 * server key, belong to the same practice, the log did not shrink, and `proof` (RFC 6962
 * consistency proof, hex) shows the remembered tree is a prefix of the new one. On `ok` the
 * client remembers `checkpoint` from then on.
 */
export function verifyCheckpointConsistency(input: {
  readonly serverPublicKey: AuditSigningPublicKey;
  readonly remembered: AuditCheckpoint;
  readonly latest: AuditCheckpoint;
  readonly proof: readonly string[];
}): CheckpointConsistency {
  const { serverPublicKey, remembered, latest, proof } = input;
  for (const [name, checkpoint] of [
    ['remembered', remembered],
    ['latest', latest],
  ] as const) {
    if (!verifyAuditCheckpointSignature(checkpoint, serverPublicKey)) {
      return {
        ok: false,
        reason: 'checkpoint_signature',
        detail: `the ${name} checkpoint (tree size ${checkpoint.treeSize}) is not signed by the server key`,
      };
    }
  }
  if (remembered.practiceId !== latest.practiceId) {
    return { ok: false, reason: 'wrong_practice', detail: 'the checkpoints belong to different practices' };
  }
  if (latest.treeSize < remembered.treeSize) {
    return {
      ok: false,
      reason: 'truncated',
      detail: `the log shrank from ${remembered.treeSize} to ${latest.treeSize} entries`,
    };
  }
  const sameHead = latest.treeSize > remembered.treeSize || latest.chainHead === remembered.chainHead;
  if (
    !proof.every(isAuditHash) ||
    !sameHead ||
    !verifyConsistency(
      remembered.treeSize,
      latest.treeSize,
      hexToBytes(remembered.rootHash),
      hexToBytes(latest.rootHash),
      proof.map(hexToBytes),
    )
  ) {
    return {
      ok: false,
      reason: 'inconsistent_with_remembered',
      detail: `the log of ${latest.treeSize} entries does not extend the remembered log of ${remembered.treeSize}`,
    };
  }
  return { ok: true, checkpoint: latest };
}
