// Measures which average chunk size suits database-like files (docs/BACKUP_FORMAT.md, "Chunking").
// Run: node --import tsx packages/backup/src/testing/measure-chunking.ts [MiB]
// A database-like file of 8 KiB pages gets 1 % of its pages rewritten and 1 % appended; for each
// chunker profile we count the chunk bytes the second backup would have to store.
import { createHash } from 'node:crypto';
import { type ChunkerParams, GearChunker, gearTableFromSeed } from '../chunker/fastcdc.js';
import { databaseLike, seededBytes } from './fixtures.js';

const PAGE = 8192;
const sizeMiB = Number(process.argv[2] ?? 64);
const pages = (sizeMiB * 1024 * 1024) / PAGE;
const gear = gearTableFromSeed('measure');

const profiles: [string, ChunkerParams][] = [
  ['16 KiB', { minSize: 4096, avgSize: 16384, maxSize: 65536 }],
  ['32 KiB', { minSize: 8192, avgSize: 32768, maxSize: 131072 }],
  ['64 KiB', { minSize: 16384, avgSize: 65536, maxSize: 262144 }],
  ['256 KiB', { minSize: 65536, avgSize: 262144, maxSize: 1048576 }],
  ['1 MiB', { minSize: 262144, avgSize: 1048576, maxSize: 4194304 }],
];

function chunkSet(data: Uint8Array, chunker: GearChunker): Map<string, number> {
  const chunks = new Map<string, number>();
  let at = 0;
  for (const length of chunker.cutAll(data)) {
    chunks.set(
      createHash('sha256')
        .update(data.subarray(at, at + length))
        .digest('hex'),
      length,
    );
    at += length;
  }
  return chunks;
}

const before = databaseLike('measure', pages);
const after = new Uint8Array(before.length + Math.ceil(pages / 100) * PAGE);
after.set(before, 0);
const picks = seededBytes('picks', pages * 4);
const changedPages = Math.ceil(pages / 100);
for (let i = 0; i < changedPages; i++) {
  const page = new DataView(picks.buffer).getUint32(i * 4, true) % pages;
  after.set(seededBytes(`rewrite/${i}`, PAGE), page * PAGE);
}
after.set(databaseLike('appended', Math.ceil(pages / 100)), before.length);
const realChange = (changedPages + Math.ceil(pages / 100)) * PAGE;

process.stdout.write(
  `database-like file: ${sizeMiB} MiB, ${changedPages} pages rewritten + ${Math.ceil(pages / 100)} appended = ${(realChange / 1048576).toFixed(2)} MiB changed\n`,
);
process.stdout.write('profile   chunks   new chunk bytes   × real change   chunk MiB/s\n');
for (const [name, params] of profiles) {
  const chunker = new GearChunker(params, gear);
  const started = performance.now();
  const first = chunkSet(before, chunker);
  const ms = performance.now() - started;
  const second = chunkSet(after, chunker);
  let added = 0;
  for (const [id, length] of second) if (!first.has(id)) added += length;
  process.stdout.write(
    `${name.padEnd(9)} ${String(first.size).padStart(6)}   ${(added / 1048576).toFixed(2).padStart(10)} MiB   ${(added / realChange).toFixed(1).padStart(10)}×   ${(before.length / 1048576 / (ms / 1000)).toFixed(0).padStart(8)}\n`,
  );
}
