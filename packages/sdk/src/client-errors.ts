/**
 * Failures on this device that an app tells its user about (not answers of the server, which are
 * TresorApiError). Classes, so an app recognises them with `instanceof`, not by their text.
 */

/** The session's keys were dropped (idle lock, sign-out) while a call still needed them. */
export class SessionLockedError extends Error {
  override readonly name = 'SessionLockedError';

  constructor() {
    super('session is locked');
  }
}

/** Data is sealed under a practice-key version this device holds no verified key for. */
export class KeyVersionLockedError extends Error {
  override readonly name = 'KeyVersionLockedError';

  /**
   * @param reason `untrusted_granter`: a grant of this version reached this device, signed by a
   *   colleague not confirmed yet (`session.untrustedGrants`; confirm their fingerprint);
   *   `not_granted`: no grant of it reached this device, although this device knows the version
   *   (the server names it, or this device opened it before): the server withholds it, was
   *   restored from a backup older than the rotation, or nobody handed it over yet.
   */
  constructor(
    readonly version: number,
    readonly reason: 'untrusted_granter' | 'not_granted' = 'not_granted',
  ) {
    super(`practice key version ${version} is not unlocked on this device (${reason})`);
  }
}

/** The error for a practice-key version missing from `keys`, with why it is missing. */
export function keyVersionLocked(
  keys: { readonly untrustedGrants?: readonly { readonly pkVersions: readonly number[] }[] },
  version: number,
): KeyVersionLockedError {
  const untrusted = (keys.untrustedGrants ?? []).some((grant) => grant.pkVersions.includes(version));
  return new KeyVersionLockedError(version, untrusted ? 'untrusted_granter' : 'not_granted');
}

/**
 * Patient master data or a clinical entry of the wrong shape (or an impossible date of birth):
 * refused on this device before it was sealed (`createPatient`, `importPatients`, `updatePatient`,
 * `addEntry`). A TypeError, as before it had a class of its own. (Stored data that opens but is
 * not of that shape is unreadable: `DecryptionError`, like tampered data.)
 */
export class InvalidRecordInputError extends TypeError {
  override readonly name = 'InvalidRecordInputError';
}

/**
 * The file handed to `uploadDocument` or `resumeUpload` is not (any more) the size the upload
 * declared: it grew or shrank while it was read, or a resumed upload was given another file.
 * A RangeError, as before it had a class of its own.
 */
export class UploadFileChangedError extends RangeError {
  override readonly name = 'UploadFileChangedError';
}
