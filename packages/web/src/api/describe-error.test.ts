import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecryptionError } from '@tresor/crypto';
import {
  InvalidRecordInputError,
  KeyVersionLockedError,
  SessionLockedError,
  TresorApiError,
  UploadFileChangedError,
} from '@tresor/sdk';
import type { Translate } from '../i18n/i18n';
import { messagesDe } from '../i18n/messages.de';
import { messagesEn } from '../i18n/messages.en';
import { clientFailure, describeError, isSessionGone } from './describe-error';

const translator =
  (messages: typeof messagesDe | typeof messagesEn): Translate =>
  (key, params) =>
    messages[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params?.[name]));
const de = (error: unknown) => describeError(error, 'de', translator(messagesDe));
const en = (error: unknown) => describeError(error, 'en', translator(messagesEn));

describe('describeError', () => {
  it('tells undecryptable data apart from the generic failure', () => {
    assert.equal(de(new DecryptionError()).text, messagesDe['error.decryption']);
    assert.equal(en(new DecryptionError()).text, messagesEn['error.decryption']);
    assert.equal(de(new DecryptionError()).code, 'client.decryption');
  });

  it('names the practice key version that is not unlocked, and why', () => {
    const untrusted = new KeyVersionLockedError(3, 'untrusted_granter');
    assert.deepEqual(clientFailure(untrusted), {
      kind: 'key_version_locked',
      version: 3,
      reason: 'untrusted_granter',
    });
    assert.match(de(untrusted).text, /Version 3 des Praxisschlüssels/);
    assert.match(de(untrusted).text, /vertrauen/);
    assert.match(en(untrusted).text, /version 3 of the practice key/);
    assert.match(en(untrusted).text, /trust the colleague/);

    const withheld = new KeyVersionLockedError(4);
    assert.equal(withheld.reason, 'not_granted');
    assert.match(de(withheld).text, /Version 4 des Praxisschlüssels/);
    assert.match(de(withheld).text, /älteren Sicherung/);
    assert.match(en(withheld).text, /Version 4 of the practice key/);
    assert.match(en(withheld).text, /older backup/);
    assert.equal(de(withheld).code, 'client.key_version_locked');
  });

  it('says the session is locked', () => {
    assert.equal(de(new SessionLockedError()).text, messagesDe['error.sessionLocked']);
    // The text alone is not enough: an unrelated Error with the same words stays generic.
    assert.equal(de(new Error('session is locked')).text, messagesDe['error.generic']);
  });

  it('says input was refused before it was sealed', () => {
    for (const message of [
      'invalid patient master data: /birthDate Expected string',
      'invalid clinical entry: /text Expected string',
      // Known by its class, so even words the network check looks for do not change it.
      'invalid clinical entry: /network Expected string',
    ]) {
      const error = new InvalidRecordInputError(message);
      assert.deepEqual(clientFailure(error), { kind: 'invalid_input' }, message);
      assert.equal(de(error).text, messagesDe['error.invalidInput'], message);
      assert.equal(de(error).code, 'client.invalid_input', message);
    }
    // The text alone is not enough: plain errors with the same words stay generic.
    for (const error of [
      new TypeError('invalid patient master data: /birthDate Expected string'),
      new Error('clinical entry is malformed'),
    ]) {
      assert.equal(clientFailure(error), undefined, error.message);
      assert.equal(de(error).text, messagesDe['error.generic'], error.message);
    }
  });

  it('says the file changed when its size no longer fits the upload', () => {
    for (const message of [
      'the file is larger than the size it declared',
      'the file is smaller than the size it declared',
      'this is not the file the upload was started with (size differs)',
    ]) {
      const error = new UploadFileChangedError(message);
      assert.deepEqual(clientFailure(error), { kind: 'file_changed' }, message);
      assert.equal(en(error).text, messagesEn['error.fileChanged'], message);
      // The text alone is not enough.
      assert.equal(en(new RangeError(message)).text, messagesEn['error.generic'], message);
    }
  });

  it('keeps programming errors and network failures as before', () => {
    assert.equal(
      de(new TypeError("Cannot read properties of undefined (reading 'x')")).text,
      messagesDe['error.generic'],
    );
    assert.equal(de(new RangeError('pkVersion must be >= 1')).text, messagesDe['error.generic']);
    assert.equal(de(new Error('something else')).text, messagesDe['error.generic']);
    assert.equal(de('not an error').text, messagesDe['error.generic']);
    assert.equal(de(new TypeError('Failed to fetch')).text, messagesDe['error.network']);
  });

  it('uses the shared catalogue for API errors and knows a gone session', () => {
    const gone = new TresorApiError('auth.unauthenticated', 'expired', 401);
    assert.equal(isSessionGone(gone), true);
    assert.equal(de(gone).code, 'auth.unauthenticated');
    assert.equal(isSessionGone(new Error('auth.unauthenticated')), false);
  });
});
