import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PracticeKey } from '@tresor/crypto';
import {
  type KeyVersionMemory,
  MemoryKeyVersionMemory,
  highestOpenedVersion,
  rememberOpenedVersion,
} from './key-version-memory.js';

const ids = { practiceId: 'p1', userId: 'u1' };
const keysOf = (...versions: number[]) => ({
  practiceKeys: new Map(versions.map((version) => [version, new Uint8Array(32) as PracticeKey])),
});

describe('KeyVersionMemory', () => {
  it('remembers the highest opened version per practice and user, and never lowers it', async () => {
    const memory = new MemoryKeyVersionMemory();
    assert.equal(highestOpenedVersion(keysOf()), 0);
    await rememberOpenedVersion(memory, ids, keysOf(1, 3, 2));
    assert.equal(await memory.load(ids), 3);
    await rememberOpenedVersion(memory, ids, keysOf(1));
    assert.equal(await memory.load(ids), 3);
    assert.equal(await memory.load({ ...ids, userId: 'u2' }), undefined);
  });

  it('is best effort: a store that fails does not fail the caller', async () => {
    const broken: KeyVersionMemory = {
      load: () => Promise.reject(new Error('storage gone')),
      save: () => Promise.reject(new Error('storage gone')),
    };
    await rememberOpenedVersion(broken, ids, keysOf(2));
    await rememberOpenedVersion(undefined, ids, keysOf(2));
  });
});
