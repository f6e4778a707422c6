/**
 * Yields each of `items` in order with the promise of its `read`, having started the reads of
 * up to `ahead` items before it: the caller handles one result at a time (memory stays bounded)
 * while the next ones already wait for the disk. Reads left over when the caller stops early
 * are settled silently.
 */
export async function* readingAhead<T, R>(
  items: readonly T[],
  ahead: number,
  read: (item: T) => Promise<R>,
): AsyncGenerator<[T, Promise<R>]> {
  const started = new Map<number, Promise<R>>();
  let next = 0;
  for (let i = 0; i < items.length; i++) {
    for (; next < items.length && next <= i + ahead; next++) {
      const pending = read(items[next]!);
      pending.catch(() => undefined); // handled by the caller when its turn comes
      started.set(next, pending);
    }
    const pending = started.get(i)!;
    started.delete(i);
    yield [items[i]!, pending];
  }
}

/** Repository files read ahead when a command loads all of one kind (index files, snapshots). */
export const FILES_READ_AHEAD = 8;
