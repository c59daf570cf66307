// Pieces shorter than this are copied together, so a stream of tiny writes cannot make the queue
// hold millions of Buffer objects (each costs far more memory than the byte it carries).
const SMALL_PIECE = 4 * 1024;
const COALESCE_BLOCK = 64 * 1024;

/**
 * A FIFO of byte buffers that hands out views without copying large pieces, so chunks can be
 * cut from stream input of any piece size while memory stays bounded by what is queued.
 */
export class ByteQueue {
  #pieces: Buffer[] = [];
  #length = 0;
  #tail: Buffer | undefined;
  #tailUsed = 0;

  /** Bytes queued. */
  get length(): number {
    return this.#length;
  }

  /** Appends a buffer (large ones are kept by reference, small ones copied). */
  push(piece: Buffer): void {
    if (piece.length === 0) return;
    this.#length += piece.length;
    if (piece.length >= SMALL_PIECE) {
      this.#sealTail();
      this.#pieces.push(piece);
      return;
    }
    if (this.#tail !== undefined && this.#tailUsed + piece.length > this.#tail.length) {
      this.#sealTail();
    }
    this.#tail ??= Buffer.allocUnsafe(COALESCE_BLOCK);
    piece.copy(this.#tail, this.#tailUsed);
    this.#tailUsed += piece.length;
  }

  /** Removes the first `size` bytes (at most `length`) and returns them as views, in order. */
  take(size: number): Buffer[] {
    this.#sealTail();
    const out: Buffer[] = [];
    let wanted = Math.min(size, this.#length);
    this.#length -= wanted;
    while (wanted > 0) {
      const head = this.#pieces[0];
      if (head === undefined) break;
      if (head.length <= wanted) {
        out.push(head);
        this.#pieces.shift();
        wanted -= head.length;
      } else {
        out.push(head.subarray(0, wanted));
        this.#pieces[0] = head.subarray(wanted);
        wanted = 0;
      }
    }
    return out;
  }

  /** Removes the first `size` bytes (at most `length`) as one buffer. */
  takeBuffer(size: number): Buffer {
    const pieces = this.take(size);
    return pieces.length === 1 && pieces[0] !== undefined ? pieces[0] : Buffer.concat(pieces);
  }

  #sealTail(): void {
    if (this.#tail === undefined) return;
    this.#pieces.push(this.#tail.subarray(0, this.#tailUsed));
    this.#tail = undefined;
    this.#tailUsed = 0;
  }
}
