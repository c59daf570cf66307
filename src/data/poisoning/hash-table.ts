// An open-addressing table of 64-bit row hashes (two 32-bit halves) with optional 32-bit
// value slots. Typed arrays keep it at 8 bytes per slot plus 4 per value slot, where a JS
// Set of strings or BigInts would cost tens of bytes per entry and hours of GC at 10 M rows.

const INITIAL_CAPACITY = 1024;
const MAX_LOAD = 0.7;

/** A bounded set or map of 64-bit keys; (0, 0) is reserved as the empty slot. */
export class HashTable64 {
  /** Entries stored. */
  size = 0;
  /** True once an insert was refused because the table held `cap` entries. */
  full = false;
  /** Whether the last successful `insert` added a new key. */
  added = false;
  /** Value slots, `values[k][slot]`; grown with the table. */
  values: Uint32Array[];
  #hi: Uint32Array;
  #lo: Uint32Array;
  #mask: number;
  readonly #cap: number;
  readonly #slots: number;

  /** `cap` bounds the entries; `valueSlots` 32-bit values ride with each key. */
  constructor(cap: number, valueSlots = 0) {
    this.#cap = cap;
    this.#slots = valueSlots;
    this.#hi = new Uint32Array(INITIAL_CAPACITY);
    this.#lo = new Uint32Array(INITIAL_CAPACITY);
    this.#mask = INITIAL_CAPACITY - 1;
    this.values = Array.from({ length: valueSlots }, () => new Uint32Array(INITIAL_CAPACITY));
  }

  /** The slot holding the key, or -1. */
  find(hi: number, lo: number): number {
    const i = this.#probe(hi, lo);
    return this.#hi[i] === 0 && this.#lo[i] === 0 ? -1 : i;
  }

  /** The slot of the key, added if absent (`added` says which); -1 when the cap refuses it. */
  insert(hi: number, lo: number): number {
    let i = this.#probe(hi, lo);
    if (this.#hi[i] !== 0 || this.#lo[i] !== 0) {
      this.added = false;
      return i;
    }
    if (this.size >= this.#cap) {
      this.full = true;
      this.added = false;
      return -1;
    }
    if ((this.size + 1) / (this.#mask + 1) > MAX_LOAD) {
      this.#grow();
      i = this.#probe(hi, lo);
    }
    this.#hi[i] = hi;
    this.#lo[i] = lo;
    this.size++;
    this.added = true;
    return i;
  }

  /** Calls `fn` with every occupied slot. */
  forEachSlot(fn: (slot: number) => void): void {
    for (let i = 0; i <= this.#mask; i++) {
      if (this.#hi[i] !== 0 || this.#lo[i] !== 0) fn(i);
    }
  }

  #probe(hi: number, lo: number): number {
    // Keys compare as the unsigned values the typed arrays hand back.
    hi >>>= 0;
    lo >>>= 0;
    const mask = this.#mask;
    let i = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
    for (;;) {
      const h = this.#hi[i] as number;
      const l = this.#lo[i] as number;
      if ((h === hi && l === lo) || (h === 0 && l === 0)) return i;
      i = (i + 1) & mask;
    }
  }

  #grow(): void {
    const oldHi = this.#hi;
    const oldLo = this.#lo;
    const oldValues = this.values;
    const capacity = (this.#mask + 1) * 2;
    this.#hi = new Uint32Array(capacity);
    this.#lo = new Uint32Array(capacity);
    this.#mask = capacity - 1;
    this.values = Array.from({ length: this.#slots }, () => new Uint32Array(capacity));
    for (let j = 0; j < oldHi.length; j++) {
      const hi = oldHi[j] as number;
      const lo = oldLo[j] as number;
      if (hi === 0 && lo === 0) continue;
      const i = this.#probe(hi, lo);
      this.#hi[i] = hi;
      this.#lo[i] = lo;
      for (let k = 0; k < this.#slots; k++) {
        (this.values[k] as Uint32Array)[i] = (oldValues[k] as Uint32Array)[j] as number;
      }
    }
  }
}
