import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sha256 } from './digest.js';
import { bytesToHex, utf8ToBytes } from './encoding.js';

it('sha256 matches the FIPS 180-2 "abc" vector', async () => {
  assert.equal(
    bytesToHex(await sha256(utf8ToBytes('abc'))),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
});
