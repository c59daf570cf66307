/**
 * Frequent items: a Misra–Gries summary with DataSketches' median purge. Up to 1,024 items are
 * counted; when a new item overflows the map, the median count is subtracted from every item and
 * the items left at zero or below are dropped. `maxError` sums what was subtracted, so each true
 * count lies in [count, count + maxError], and an unlisted item occurred at most maxError times.
 * While nothing was ever purged the summary is exact. Values longer than 64 UTF-16 units are not
 * tracked (they are counted in `untracked`) so memory stays bounded.
 */

/** Number of items a summary keeps (whylogs' `fi_lg_max_k = 10`). */
export const FREQUENT_CAPACITY = 1024;
/** Longest value tracked, in UTF-16 code units. */
export const FREQUENT_MAX_ITEM_LENGTH = 64;

/** One item and its (lower-bound) count. */
export type FrequentItem = readonly [value: string, count: number];

/** A mergeable heavy-hitters summary over string values. */
export class FrequentItems {
  private readonly counts = new Map<string, number>();
  /** Total subtracted by purges: the error bound on every count. */
  maxError = 0;
  /** Values not tracked because they were longer than the item limit. */
  untracked = 0;

  /** True while the counts are exact: nothing purged and nothing too long. */
  get exact(): boolean {
    return this.maxError === 0 && this.untracked === 0;
  }

  /** Number of items currently held. */
  get size(): number {
    return this.counts.size;
  }

  /** Counts `weight` occurrences of `value`. */
  add(value: string, weight = 1): void {
    if (value.length > FREQUENT_MAX_ITEM_LENGTH) {
      this.untracked += weight;
      return;
    }
    const current = this.counts.get(value);
    this.counts.set(value, (current ?? 0) + weight);
    if (current === undefined && this.counts.size > FREQUENT_CAPACITY) this.purge();
  }

  private purge(): void {
    const sorted = Float64Array.from(this.counts.values()).sort();
    const median = sorted[sorted.length >> 1] ?? 0;
    for (const [value, count] of this.counts) {
      if (count <= median) this.counts.delete(value);
      else this.counts.set(value, count - median);
    }
    this.maxError += median;
  }

  /** The count of `value` (a lower bound unless exact), 0 when not held. */
  count(value: string): number {
    return this.counts.get(value) ?? 0;
  }

  /** Items by decreasing count, ties by value: a canonical order for output and comparison. */
  items(): FrequentItem[] {
    return [...this.counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  }

  /** A new summary of both inputs: counts add, then one purge if over capacity. */
  merge(other: FrequentItems): FrequentItems {
    const merged = new FrequentItems();
    for (const summary of [this, other]) {
      for (const [value, count] of summary.counts) {
        merged.counts.set(value, (merged.counts.get(value) ?? 0) + count);
      }
      merged.maxError += summary.maxError;
      merged.untracked += summary.untracked;
    }
    while (merged.counts.size > FREQUENT_CAPACITY) merged.purge();
    return merged;
  }

  /** Rebuilds a summary from serialised parts (already validated). */
  static restore(
    items: readonly FrequentItem[],
    maxError: number,
    untracked: number,
  ): FrequentItems {
    const summary = new FrequentItems();
    for (const [value, count] of items) summary.counts.set(value, count);
    summary.maxError = maxError;
    summary.untracked = untracked;
    return summary;
  }
}
