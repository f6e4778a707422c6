import { bytesToBase64url, utf8ToBytes } from '../encoding.js';
import { DecryptionError, GrantVerificationError } from './errors.js';
import {
  SYMMETRIC_KEY_LENGTH,
  type Ed25519PrivateKey,
  type Ed25519PublicKey,
  type PracticeKey,
  type X25519PrivateKey,
  type X25519PublicKey,
} from './key-types.js';
import { isSealedBox, openSealedBox, sealToPublicKey, type SealedBox } from './sealed-box.js';
import { decodeBase64urlField, isBoundedString, readExactRecord } from './shape.js';
import { signMessage, verifySignature } from './user-key-pairs.js';

export { GrantVerificationError, type GrantVerificationReason } from './errors.js';

/**
 * Hand-over of one version of the practice key from a user who holds it (the granter, a trusted
 * primary) to another user: the key sealed to the recipient's X25519 key, signed by the granter's
 * Ed25519 key. The server stores and relays grants but can neither read nor forge them: the
 * recipient accepts only grants signed by a granter whose key it already trusts.
 */
export interface PracticeKeyGrant {
  readonly v: 1;
  readonly practiceId: string;
  readonly pkVersion: number;
  readonly recipientUserId: string;
  readonly granterUserId: string;
  readonly sealed: SealedBox;
  /** Ed25519 signature over {@link grantSigningBytes}, base64url (64 bytes). */
  readonly signature: string;
}

const GRANT_KEYS = [
  'v',
  'practiceId',
  'pkVersion',
  'recipientUserId',
  'granterUserId',
  'sealed',
  'signature',
] as const;
const MAX_ID_LENGTH = 256;
const SIGNATURE_LENGTH = 64;

function sealedContext(practiceId: string, recipientUserId: string, pkVersion: number) {
  return { practiceId, owner: recipientUserId, purpose: `pk.grant.v${pkVersion}` };
}

function isPkVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

interface ParsedGrant {
  readonly grant: Omit<PracticeKeyGrant, 'signature'>;
  readonly signature: Uint8Array;
}

function parseGrant(value: unknown): ParsedGrant | undefined {
  const r = readExactRecord(value, GRANT_KEYS);
  if (
    r?.v !== 1 ||
    !isBoundedString(r.practiceId, MAX_ID_LENGTH) ||
    !isPkVersion(r.pkVersion) ||
    !isBoundedString(r.recipientUserId, MAX_ID_LENGTH) ||
    !isBoundedString(r.granterUserId, MAX_ID_LENGTH)
  ) {
    return undefined;
  }
  // Snapshot the box too, so what is verified is exactly what is opened.
  const sealed = readExactRecord(r.sealed, ['v', 'alg', 'epk', 'nonce', 'ct']);
  if (!isSealedBox(sealed)) return undefined;
  const signature = decodeBase64urlField(r.signature);
  if (signature?.length !== SIGNATURE_LENGTH) return undefined;
  return {
    grant: {
      v: 1,
      practiceId: r.practiceId,
      pkVersion: r.pkVersion,
      recipientUserId: r.recipientUserId,
      granterUserId: r.granterUserId,
      sealed,
    },
    signature,
  };
}

/**
 * The bytes the granter signs:
 * utf8(JSON.stringify(['tresor/pk-grant/v1', practiceId, pkVersion, recipientUserId,
 * granterUserId, sealed.v, sealed.alg, sealed.epk, sealed.nonce, sealed.ct])).
 */
export function grantSigningBytes(grant: Omit<PracticeKeyGrant, 'signature'>): Uint8Array {
  const { sealed } = grant;
  return utf8ToBytes(
    JSON.stringify([
      'tresor/pk-grant/v1',
      grant.practiceId,
      grant.pkVersion,
      grant.recipientUserId,
      grant.granterUserId,
      sealed.v,
      sealed.alg,
      sealed.epk,
      sealed.nonce,
      sealed.ct,
    ]),
  );
}

/** Strict shape check of an untrusted grant (does not verify the signature). */
export function isPracticeKeyGrant(value: unknown): value is PracticeKeyGrant {
  return parseGrant(value) !== undefined;
}

/**
 * Seals `practiceKey` to the recipient under the context
 * `{ practiceId, owner: recipientUserId, purpose: 'pk.grant.v<pkVersion>' }` and signs the grant.
 * @throws TypeError / RangeError on invalid input (ids must be 1..256 characters, pkVersion a positive integer).
 */
export async function createPracticeKeyGrant(input: {
  practiceId: string;
  pkVersion: number;
  practiceKey: PracticeKey;
  recipientUserId: string;
  recipientEncryptionKey: X25519PublicKey;
  granterUserId: string;
  granterSigningKey: Ed25519PrivateKey;
}): Promise<PracticeKeyGrant> {
  const { practiceId, pkVersion, practiceKey, recipientUserId, granterUserId } = input;
  for (const [name, id] of [
    ['practiceId', practiceId],
    ['recipientUserId', recipientUserId],
    ['granterUserId', granterUserId],
  ] as const) {
    if (!isBoundedString(id, MAX_ID_LENGTH)) throw new TypeError(`${name} must be 1..256 characters`);
  }
  if (!isPkVersion(pkVersion)) throw new RangeError('pkVersion must be a positive integer');
  if (!(practiceKey instanceof Uint8Array) || practiceKey.length !== SYMMETRIC_KEY_LENGTH) {
    throw new RangeError('the practice key must be 32 bytes');
  }
  const sealed = await sealToPublicKey(
    input.recipientEncryptionKey,
    practiceKey,
    sealedContext(practiceId, recipientUserId, pkVersion),
  );
  const unsigned = { v: 1, practiceId, pkVersion, recipientUserId, granterUserId, sealed } as const;
  const signature = signMessage(input.granterSigningKey, grantSigningBytes(unsigned));
  return Object.freeze({ ...unsigned, signature: bytesToBase64url(signature) });
}

/**
 * Verifies and opens a grant fetched from the server. Checks, in this order: shape
 * (`malformed`), practice (`wrong_practice`), recipient (`wrong_recipient`), that the granter has
 * a key the caller already trusts (`untrusted_granter`), the signature (`bad_signature`); only
 * then decrypts.
 * @throws GrantVerificationError with the reason above.
 * @throws DecryptionError if the sealed key does not open with the recipient's private key.
 */
export async function openPracticeKeyGrant(
  grant: unknown,
  expected: {
    practiceId: string;
    recipientUserId: string;
    recipientEncryptionPrivateKey: X25519PrivateKey;
    trustedGranterKey: (userId: string) => Ed25519PublicKey | undefined;
  },
): Promise<PracticeKey> {
  const parsed = parseGrant(grant);
  if (parsed === undefined) throw new GrantVerificationError('malformed');
  const { grant: body, signature } = parsed;
  if (body.practiceId !== expected.practiceId) throw new GrantVerificationError('wrong_practice');
  if (body.recipientUserId !== expected.recipientUserId) throw new GrantVerificationError('wrong_recipient');
  const granterKey = expected.trustedGranterKey(body.granterUserId);
  if (granterKey === undefined) throw new GrantVerificationError('untrusted_granter');
  if (!verifySignature(granterKey, grantSigningBytes(body), signature)) {
    throw new GrantVerificationError('bad_signature');
  }
  const key = await openSealedBox(
    expected.recipientEncryptionPrivateKey,
    body.sealed,
    sealedContext(body.practiceId, body.recipientUserId, body.pkVersion),
  );
  if (key.length !== SYMMETRIC_KEY_LENGTH) {
    key.fill(0);
    throw new DecryptionError();
  }
  return key as PracticeKey;
}
