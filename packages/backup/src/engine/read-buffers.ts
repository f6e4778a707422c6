/**
 * Read buffers kept for reuse across file jobs in one worker thread. A fresh buffer per file meant
 * fresh memory for every byte read: allocations, page faults (dear on this kind of VM) and
 * garbage to collect. A buffer taken here belongs to one job until it is given back.
 */
export class ReadBuffers {
  private readonly free = new Map<number, Uint8Array[]>();

  /** @param keep the most buffers of one size kept unused */
  constructor(private readonly keep = 4) {}

  take(size: number): Uint8Array {
    return this.free.get(size)?.pop() ?? new Uint8Array(size);
  }

  give(buffer: Uint8Array): void {
    let list = this.free.get(buffer.length);
    if (list === undefined) this.free.set(buffer.length, (list = []));
    if (list.length < this.keep) list.push(buffer);
  }
}
