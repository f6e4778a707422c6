import { bytesToBase64url, bytesToUtf8, utf8ToBytes } from '../encoding.js';
import { randomBytes } from '../random.js';
import { AES_GCM_NONCE_LENGTH, AES_GCM_TAG_LENGTH } from '../keys/aes-gcm.js';
import { deriveSubkey } from '../keys/derive.js';
import { type Envelope, isEnvelope } from '../keys/envelope.js';
import { DecryptionError } from '../keys/errors.js';
import type { PracticeKey } from '../keys/key-types.js';
import { decodeBase64urlField } from '../keys/shape.js';

/**
 * Encryption of the patient directory: one small entry per patient (names, date of birth, KVNR)
 * that every member's client downloads and searches locally. Entries are sealed under a key
 * derived from the practice key per version (HKDF label `directory/pk.v<n>`), not under the
 * per-record data keys, so a client opens 100,000 entries with one imported key. The format is
 * an {@link Envelope} with `kid` `dir.pk.v<n>`; the AAD binds the practice and the patient id.
 */

export function directoryKid(pkVersion: number): string {
  return `dir.pk.v${pkVersion}`;
}

export function pkVersionOfDirectoryKid(kid: string): number | undefined {
  const match = /^dir\.pk\.v([1-9][0-9]{0,8})$/.exec(kid);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function aad(kid: string, practiceId: string, patientId: string): Uint8Array {
  return utf8ToBytes(JSON.stringify(['tresor/directory/v1', 1, 'A256GCM', kid, practiceId, patientId]));
}

function gcm(nonce: Uint8Array, additional: Uint8Array): AesGcmParams {
  return {
    name: 'AES-GCM',
    iv: nonce as Uint8Array<ArrayBuffer>,
    additionalData: additional as Uint8Array<ArrayBuffer>,
    tagLength: AES_GCM_TAG_LENGTH * 8,
  };
}

/** Seals and opens directory entries of one practice; keys are derived and imported once per version. */
export class DirectoryCipher {
  private readonly keys = new Map<number, Promise<CryptoKey>>();

  constructor(
    private readonly practiceId: string,
    private readonly practiceKeys: ReadonlyMap<number, PracticeKey>,
  ) {}

  private key(pkVersion: number): Promise<CryptoKey> {
    let key = this.keys.get(pkVersion);
    if (key === undefined) {
      const practiceKey = this.practiceKeys.get(pkVersion);
      if (practiceKey === undefined) return Promise.reject(new DecryptionError());
      key = deriveSubkey(practiceKey, `directory/pk.v${pkVersion}`).then(async (raw) => {
        try {
          return await globalThis.crypto.subtle.importKey(
            'raw',
            raw as Uint8Array<ArrayBuffer>,
            'AES-GCM',
            false,
            ['encrypt', 'decrypt'],
          );
        } finally {
          raw.fill(0);
        }
      });
      this.keys.set(pkVersion, key);
    }
    return key;
  }

  /** Seals a JSON value as the directory entry of `patientId` under practice-key version `pkVersion`. */
  async seal(pkVersion: number, patientId: string, value: unknown): Promise<Envelope> {
    const kid = directoryKid(pkVersion);
    const nonce = randomBytes(AES_GCM_NONCE_LENGTH);
    const ct = await globalThis.crypto.subtle.encrypt(
      gcm(nonce, aad(kid, this.practiceId, patientId)),
      await this.key(pkVersion),
      utf8ToBytes(JSON.stringify(value)) as Uint8Array<ArrayBuffer>,
    );
    return Object.freeze({
      v: 1,
      alg: 'A256GCM',
      kid,
      nonce: bytesToBase64url(nonce),
      ct: bytesToBase64url(new Uint8Array(ct)),
    } as const);
  }

  /**
   * The JSON value of a directory entry of `patientId`.
   * @throws DecryptionError on a malformed entry, an unknown key version, another patient's or
   *   practice's entry, or any tampering.
   */
  async open(patientId: string, envelope: Envelope): Promise<unknown> {
    if (!isEnvelope(envelope)) throw new DecryptionError();
    const pkVersion = pkVersionOfDirectoryKid(envelope.kid);
    const nonce = decodeBase64urlField(envelope.nonce);
    const ct = decodeBase64urlField(envelope.ct);
    if (pkVersion === undefined || nonce === undefined || ct === undefined) throw new DecryptionError();
    const key = await this.key(pkVersion);
    try {
      const pt = await globalThis.crypto.subtle.decrypt(
        gcm(nonce, aad(envelope.kid, this.practiceId, patientId)),
        key,
        ct as Uint8Array<ArrayBuffer>,
      );
      return JSON.parse(bytesToUtf8(new Uint8Array(pt))) as unknown;
    } catch {
      throw new DecryptionError();
    }
  }
}
