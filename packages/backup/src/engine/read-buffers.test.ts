import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadBuffers } from './read-buffers.js';

describe('ReadBuffers', () => {
  it('hands a given-back buffer out again, and never one that is taken', () => {
    const buffers = new ReadBuffers(2);
    const a = buffers.take(1024);
    const b = buffers.take(1024);
    assert.notEqual(a, b);
    buffers.give(a);
    assert.equal(buffers.take(1024), a);
    assert.notEqual(buffers.take(1024), a);
  });

  it('keeps buffers by size and at most `keep` of each', () => {
    const buffers = new ReadBuffers(1);
    const small = buffers.take(16);
    const large = buffers.take(32);
    const extra = buffers.take(32);
    buffers.give(small);
    buffers.give(large);
    buffers.give(extra);
    assert.equal(buffers.take(32), large);
    assert.notEqual(buffers.take(32), extra);
    assert.equal(buffers.take(16), small);
  });
});
