#!/usr/bin/env node
// Entry of the `tresor-backup` command. `npm run build` compiles the TypeScript into ../dist and
// bundles it into ../dist/bundle (one file to load: every command starts ~0.15 s sooner). The
// bundle is used only while it is newer than the last compile (tsc rewrites tsconfig.tsbuildinfo
// whenever it emits), so a `tsc -b` after a change never runs stale code.
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// Every command is a short process whose threads (main, blob workers, directory and prefetch
// readers) each optimize the same hot code: V8's optimizing compiler took ~11 % of the CPU of a
// first backup and of a restore of the benchmark set (perf). A smaller inlining budget per
// optimized function cuts that compile work by about a third; the hot loops are native (zstd,
// OpenSSL) either way. Interleaved cold runs: first backup 15.35 → 14.86 s CPU (6 pairs), full
// restore 5.90 → 5.73 s (10 pairs); see docs/BENCHMARKS.md. Set before any of our code compiles.
setFlagsFromString('--max-inlined-bytecode-size-cumulative=100');

const modifiedAt = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
const bundledAt = modifiedAt('../dist/bundle/cli.js');
const compiledAt = modifiedAt('../tsconfig.tsbuildinfo');
const entry =
  bundledAt !== undefined && (compiledAt === undefined || bundledAt > compiledAt)
    ? '../dist/bundle/cli.js'
    : '../dist/cli.js';

try {
  await import(entry);
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    process.stderr.write('tresor-backup: not built yet; run "npm run build" in the repository first\n');
    process.exit(1);
  }
  throw error;
}
