import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import initWabt from 'wabt';
import { seededBytes } from '../testing/fixtures.js';
import { type ChunkerParams, GearChunker, PAGE_PROFILE, gearTableFromSeed } from './fastcdc.js';
import { GearScanner } from './gear-scan.js';
import { GEAR_SCAN_WASM } from './gear-scan-wasm.js';

const gear = gearTableFromSeed('gear-scan');
/** Chunks up to 128 KiB: most scans run over several of the scanner's 32 KiB blocks. */
const WIDE: ChunkerParams = { minSize: 64, avgSize: 32 * 1024, maxSize: 128 * 1024 };

describe('GearScanner (the cut point search in WebAssembly)', () => {
  it('is the module gear-scan.wat assembles to (run scripts/build-wasm.mjs after changing it)', async () => {
    const wabt = await initWabt();
    const module = wabt.parseWat(
      'gear-scan.wat',
      readFileSync(new URL('./gear-scan.wat', import.meta.url), 'utf8'),
    );
    try {
      module.validate();
      assert.equal(Buffer.from(module.toBinary({}).buffer).toString('base64'), GEAR_SCAN_WASM);
    } finally {
      module.destroy();
    }
  });

  it('is available here, so the chunker uses it', () => {
    assert.ok(GearScanner.create(gear));
  });

  it('cuts exactly where the JavaScript loop cuts, across its blocks and at every start', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(WIDE, PAGE_PROFILE, { minSize: 256, avgSize: 1024, maxSize: 4096 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.string(),
        (params, length, seed) => {
          const data = seededBytes(seed, length);
          const wasm = new GearChunker(params, gear);
          const js = new GearChunker(params, gear, { wasm: false });
          assert.deepEqual(wasm.cutAll(data), js.cutAll(data));
          // A cut from inside the buffer (as readChunkBatches asks for), also with an end short of maxSize.
          const start = Math.floor(length / 3);
          const short = Math.min(length, start + params.maxSize - 1);
          assert.equal(wasm.cut(data, start, length), js.cut(data, start, length));
          assert.equal(wasm.cut(data, start, short), js.cut(data, start, short));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('finds cuts in text-like data, where long runs of one byte keep the hash from changing', () => {
    const text = Buffer.from('Befund: unauffällig. '.repeat(40_000) + '\0'.repeat(300_000));
    for (const params of [WIDE, PAGE_PROFILE]) {
      assert.deepEqual(
        new GearChunker(params, gear).cutAll(text),
        new GearChunker(params, gear, { wasm: false }).cutAll(text),
      );
    }
  });
});
