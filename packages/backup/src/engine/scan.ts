import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface Totals {
  files: number;
  bytes: number;
}

/**
 * A quick metadata-only walk for the progress display's totals and ETA. Errors are ignored.
 * Stops early once `signal` aborts (the backup is done before the count is), so it never keeps
 * the process alive after the work.
 */
export async function scanTotals(
  sources: readonly string[],
  skip: ReadonlySet<string>,
  signal?: AbortSignal,
): Promise<Totals> {
  const totals: Totals = { files: 0, bytes: 0 };
  const walk = async (path: string): Promise<void> => {
    if (skip.has(path) || signal?.aborted === true) return;
    const stats = await lstat(path).catch(() => undefined);
    if (!stats) return;
    if (stats.isFile()) {
      totals.files++;
      totals.bytes += stats.size;
    } else if (stats.isDirectory()) {
      const names = await readdir(path).catch(() => []);
      for (const name of names) await walk(join(path, name));
    }
  };
  for (const source of sources) await walk(source);
  return totals;
}
