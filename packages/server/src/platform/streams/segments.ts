/**
 * Cuts a byte stream into consecutive segments of given lengths, each handed on as its own
 * stream, without buffering more than the piece at hand. Read each segment to its end (or until
 * it throws) before asking for the next: segments share the one underlying stream.
 */
export class StreamSegments {
  private readonly source: AsyncIterator<Uint8Array>;
  private leftover: Uint8Array | undefined;
  private ended = false;

  constructor(stream: AsyncIterable<Uint8Array>) {
    this.source = stream[Symbol.asyncIterator]();
  }

  /** True when the stream has no bytes left (it waits for the next piece to know). */
  async atEnd(): Promise<boolean> {
    if (this.leftover !== undefined && this.leftover.length > 0) return false;
    const piece = await this.nextPiece();
    if (piece === undefined) return true;
    this.leftover = piece;
    return false;
  }

  /**
   * The next `length` bytes as a stream. If the source ends first, the segment ends early: the
   * consumer sees fewer bytes than asked for and must treat that as an error.
   */
  async *next(length: number): AsyncGenerator<Uint8Array> {
    let remaining = length;
    while (remaining > 0) {
      const piece = this.leftover ?? (await this.nextPiece());
      this.leftover = undefined;
      if (piece === undefined) return;
      if (piece.length > remaining) {
        this.leftover = piece.subarray(remaining);
        yield piece.subarray(0, remaining);
        return;
      }
      remaining -= piece.length;
      if (piece.length > 0) yield piece;
    }
  }

  private async nextPiece(): Promise<Uint8Array | undefined> {
    if (this.ended) return undefined;
    const result: IteratorResult<Uint8Array> = await this.source.next();
    if (result.done === true) {
      this.ended = true;
      return undefined;
    }
    return result.value;
  }
}
