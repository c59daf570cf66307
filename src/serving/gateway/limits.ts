/**
 * Rate and concurrency limits. Token buckets sit behind {@link LimitBackend} so replicas can
 * later share them (Redis); a backend that fails makes the gateway refuse (503), never wave
 * requests through. Concurrency caps are per process by nature (they count open sockets).
 */

/** The answer to one {@link LimitBackend.take}. */
export interface LimitDecision {
  readonly allowed: boolean;
  /** When the bucket will hold `cost` tokens again (0 when allowed). */
  readonly retryAfterMs: number;
}

/** Token buckets keyed by (principal, model). */
export interface LimitBackend {
  /**
   * Takes `cost` tokens from `key`'s bucket, which refills at `rate` per second up to `burst`.
   * Throwing (or rejecting) means "unknown": the gateway then refuses the request.
   */
  take(
    key: string,
    cost: number,
    rate: number,
    burst: number,
  ): LimitDecision | Promise<LimitDecision>;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  rate: number;
  burst: number;
}

const SWEEP_AT = 10_000;

/** In-process token buckets (the default backend); `now` is injectable for tests. */
export function memoryLimitBackend(now: () => number = () => performance.now()): LimitBackend {
  const buckets = new Map<string, Bucket>();
  return {
    take(key, cost, rate, burst) {
      const at = now();
      if (buckets.size >= SWEEP_AT) sweep(buckets, at);
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        bucket = { tokens: burst, updatedMs: at, rate, burst };
        buckets.set(key, bucket);
      }
      // Limits may change with configuration; the bucket follows the latest ones.
      bucket.rate = rate;
      bucket.burst = burst;
      bucket.tokens = refilled(bucket, at);
      bucket.updatedMs = at;
      if (bucket.tokens >= cost) {
        bucket.tokens -= cost;
        return { allowed: true, retryAfterMs: 0 };
      }
      return { allowed: false, retryAfterMs: Math.ceil(((cost - bucket.tokens) * 1000) / rate) };
    },
  };
}

// A bucket that would be full again carries no state worth keeping.
function sweep(buckets: Map<string, Bucket>, at: number): void {
  for (const [key, bucket] of buckets) {
    if (refilled(bucket, at) >= bucket.burst) buckets.delete(key);
  }
}

function refilled(bucket: Bucket, at: number): number {
  return Math.min(bucket.burst, bucket.tokens + ((at - bucket.updatedMs) * bucket.rate) / 1000);
}

/** Counts requests in flight per key and refuses past a cap. */
export class InFlight {
  readonly #counts = new Map<string, number>();

  /** Takes a slot for `key` unless `max` are taken already. */
  tryAcquire(key: string, max: number): boolean {
    const count = this.#counts.get(key) ?? 0;
    if (count >= max) return false;
    this.#counts.set(key, count + 1);
    return true;
  }

  /** Gives back a slot taken with {@link tryAcquire}. */
  release(key: string): void {
    const count = (this.#counts.get(key) ?? 1) - 1;
    if (count <= 0) this.#counts.delete(key);
    else this.#counts.set(key, count);
  }

  /** Current counts (for gauges). */
  entries(): IterableIterator<[string, number]> {
    return this.#counts.entries();
  }
}
