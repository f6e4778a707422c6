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
