import { copyFile, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const MiB = 1024 * 1024;

/** Throughput in MB/s (MiB per second) of the two copy references for the document benchmarks. */
export interface CopyReference {
  /** `fs.copyFile`: copies inside the kernel's page cache and never waits for the disk. */
  readonly copyFile: number;
  /** 1 MiB `read`/`write` through user space, then `fsync`, as an acknowledged upload chunk is. */
  readonly durableCopy: number;
}

/**
 * A copy through user space that ends durable, as an upload's acknowledged chunks are: 1 MiB
 * reads and writes, then fsync.
 */
async function durableCopy(source: string, target: string): Promise<void> {
  const input = await open(source, 'r');
  const output = await open(target, 'w');
  try {
    const buffer = Buffer.allocUnsafe(MiB);
    for (;;) {
      const { bytesRead } = await input.read(buffer, 0, MiB, null);
      if (bytesRead === 0) break;
      await output.write(buffer, 0, bytesRead);
    }
    await output.sync();
  } finally {
    await input.close();
    await output.close();
  }
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/**
 * Copies `source` (`bytes` long) into `dir` both ways and measures each, so a document
 * benchmark can state its throughput next to a plain copy of the same file in the same run.
 */
export async function measureCopyReference(
  source: string,
  bytes: number,
  dir: string,
): Promise<CopyReference> {
  const target = join(dir, 'copy-reference.bin');
  const mbps = (seconds: number) => bytes / MiB / seconds;
  try {
    const copySeconds = await timed(() => copyFile(source, target));
    await rm(target);
    const durableSeconds = await timed(() => durableCopy(source, target));
    return { copyFile: mbps(copySeconds), durableCopy: mbps(durableSeconds) };
  } finally {
    await rm(target, { force: true });
  }
}
