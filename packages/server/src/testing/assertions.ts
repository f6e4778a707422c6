import assert from 'node:assert/strict';
import { TresorApiError } from '@tresor/sdk';

/** For `assert.rejects`: the error is a TresorApiError with this code. */
export function rejectsWith(code: string) {
  return (error: unknown): true => {
    assert.ok(error instanceof TresorApiError, String(error));
    assert.equal(error.code, code);
    return true;
  };
}
