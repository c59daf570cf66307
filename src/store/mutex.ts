/**
 * Serialises async critical sections on one connection: better-sqlite3 is synchronous, but a
 * transaction callback awaits, so two callers could otherwise interleave inside one transaction.
 */
export class AsyncMutex {
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;

  /** True while a section runs or waits. */
  get busy(): boolean {
    return this.#pending > 0;
  }

  /** Runs `fn` once every earlier section has finished; sections run one at a time, in order. */
  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    const previous = this.#tail;
    let release = (): void => undefined;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#pending += 1;
    try {
      await previous;
      return await fn();
    } finally {
      this.#pending -= 1;
      release();
    }
  }
}
