/**
 * The bounded inference queue between the request path and the record sinks. `offer` is
 * synchronous and O(1): a full queue drops the record and counts it, so logging never blocks
 * or slows serving. A drain scheduled with setImmediate hands batches to the consumer.
 */
import { RampartError } from '../core/index.js';
import type { InferenceRecord } from './record.js';

/** A destination for batches of records (file, memory, a detector). */
export interface RecordSink {
  write(batch: readonly InferenceRecord[]): Promise<void> | void;
  close?(): Promise<void>;
}

/** Settings shared by the bounded queues. */
export interface BoundedQueueOptions {
  /** Items held at most; offers beyond it are dropped (10000). */
  readonly capacity?: number;
  /** Items handed to the consumer at once (256). */
  readonly batchSize?: number;
  /**
   * How long the first item waits for others before a drain starts, in ms (0: the next turn of
   * the event loop). Under load one drain per few milliseconds costs far less than one per item.
   */
  readonly lingerMs?: number;
}

/** Queue settings. */
export interface InferenceQueueOptions extends BoundedQueueOptions {
  readonly sinks: readonly RecordSink[];
}

/** A bounded, drop-when-full queue whose consumer runs in batches off the caller's path. */
export class BoundedQueue<T> {
  readonly #consume: (batch: readonly T[]) => Promise<void>;
  readonly #ring: (T | undefined)[];
  readonly #batchSize: number;
  readonly #lingerMs: number;
  #head = 0;
  #count = 0;
  #dropped = 0;
  #consumed = 0;
  #draining: Promise<void> | undefined;
  #closed = false;

  /** @throws RAMPART_MONITOR_INVALID for a capacity or batch size out of range. */
  constructor(consume: (batch: readonly T[]) => Promise<void>, options: BoundedQueueOptions = {}) {
    const capacity = options.capacity ?? 10_000;
    this.#batchSize = options.batchSize ?? 256;
    this.#lingerMs = Math.min(Math.max(options.lingerMs ?? 0, 0), 10_000);
    for (const [name, value] of [
      ['capacity', capacity],
      ['batchSize', this.#batchSize],
    ] as const) {
      if (!Number.isInteger(value) || value < 1 || value > 10_000_000) {
        throw new RampartError('RAMPART_MONITOR_INVALID', `queue ${name} must be 1 to 10000000`, {
          hint: 'See the inference queue settings in docs/monitoring.md.',
          details: { [name]: value },
        });
      }
    }
    this.#consume = consume;
    this.#ring = new Array<T | undefined>(capacity);
  }

  /** Items dropped because the queue was full or closed. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Items taken off the queue and handed to the consumer. */
  get consumed(): number {
    return this.#consumed;
  }

  /** Items waiting. */
  get size(): number {
    return this.#count;
  }

  /** Enqueues without blocking; false when the item was dropped. Never throws. */
  offer(item: T): boolean {
    if (this.#closed || this.#count === this.#ring.length) {
      this.#dropped++;
      return false;
    }
    this.#ring[(this.#head + this.#count) % this.#ring.length] = item;
    this.#count++;
    this.#draining ??= new Promise<void>((resolve) => {
      const drain = () => {
        void this.#drain().then(resolve);
      };
      if (this.#lingerMs > 0) setTimeout(drain, this.#lingerMs);
      else setImmediate(drain);
    });
    return true;
  }

  /** Resolves once every item offered so far has been consumed. */
  async flush(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  /** Stops accepting items and flushes. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  async #drain(): Promise<void> {
    while (this.#count > 0) {
      const size = Math.min(this.#batchSize, this.#count);
      const batch = new Array<T>(size);
      for (let i = 0; i < size; i++) {
        const slot = (this.#head + i) % this.#ring.length;
        batch[i] = this.#ring[slot] as T;
        this.#ring[slot] = undefined;
      }
      this.#head = (this.#head + size) % this.#ring.length;
      this.#count -= size;
      // The consumer counts its own failures; nothing may stop the drain.
      await this.#consume(batch).catch(() => undefined);
      this.#consumed += size;
      // Yields between batches so a long backlog never holds the event loop.
      if (this.#count > 0) await new Promise((resolve) => setImmediate(resolve));
    }
    this.#draining = undefined;
  }
}

/** The inference record queue: a {@link BoundedQueue} whose consumer writes to the sinks. */
export class InferenceQueue extends BoundedQueue<InferenceRecord> {
  readonly #sinks: readonly RecordSink[];
  #sinkFailures = 0;

  /** @throws RAMPART_MONITOR_INVALID for a capacity or batch size out of range. */
  constructor(options: InferenceQueueOptions) {
    super(async (batch) => {
      for (const sink of this.#sinks) {
        try {
          await sink.write(batch);
        } catch {
          this.#sinkFailures++;
        }
      }
    }, options);
    this.#sinks = [...options.sinks];
  }

  /** Sink writes that failed (each failed batch counts once per sink). */
  get sinkFailures(): number {
    return this.#sinkFailures;
  }

  /** Stops accepting records, flushes, and closes the sinks (failures counted, not thrown). */
  override async close(): Promise<void> {
    await super.close();
    for (const sink of this.#sinks) {
      try {
        await sink.close?.();
      } catch {
        this.#sinkFailures++;
      }
    }
  }
}
