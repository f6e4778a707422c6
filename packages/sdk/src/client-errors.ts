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

  constructor(readonly version: number) {
    super(`practice key version ${version} is not unlocked on this device`);
  }
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
