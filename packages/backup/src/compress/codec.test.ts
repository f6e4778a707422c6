import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Codec } from '../format.js';
import { seededBytes, seededText } from '../testing/fixtures.js';
import { CodecError, availableCodec, compressBlob, decompressBlob } from './codec.js';

describe('blob compression', () => {
  it('has zstd here (zstd-napi or node:zlib)', () => {
    assert.equal(availableCodec('zstd'), 'zstd');
  });

  for (const preferred of ['zstd', 'brotli'] as const) {
    it(`round-trips compressible data with ${preferred} and records the codec`, () => {
      const raw = seededText('codec', 200_000);
      const packed = compressBlob(raw, preferred);
      assert.equal(packed.codec, preferred === 'zstd' ? Codec.zstd : Codec.brotli);
      assert.ok(packed.data.length < raw.length / 3);
      assert.deepEqual(decompressBlob(packed.codec, packed.data, raw.length), raw);
    });
  }

  it('stores incompressible data as it is (codec none)', () => {
    const raw = seededBytes('random', 100_000);
    const packed = compressBlob(raw, 'zstd');
    assert.equal(packed.codec, Codec.none);
    assert.equal(packed.data, raw);
    assert.deepEqual(decompressBlob(Codec.none, packed.data, raw.length), raw);
  });

  it('reads blobs of every codec whatever it writes with', () => {
    const raw = seededText('mixed', 50_000);
    for (const preferred of ['zstd', 'brotli', 'none'] as const) {
      const packed = compressBlob(raw, preferred);
      assert.deepEqual(decompressBlob(packed.codec, packed.data, raw.length), raw);
    }
  });

  it('refuses data that does not decode to the recorded length', () => {
    const raw = seededText('length', 10_000);
    const packed = compressBlob(raw, 'zstd');
    assert.throws(() => decompressBlob(packed.codec, packed.data, raw.length + 1), CodecError);
    assert.throws(() => decompressBlob(Codec.zstd, new Uint8Array([1, 2, 3, 4]), 10), CodecError);
    assert.throws(() => decompressBlob(Codec.brotli, packed.data, raw.length), CodecError);
  });
});
