// Row hashes, column by column over a batch: each row gets two independent 32-bit hashes (a
// MurmurHash3 round and an xxHash32-style round, different seeds) of its typed cell values, a
// 64-bit key in all. Typed values, not text: 1 and "1" differ, 0 and -0 agree, NaNs agree.
import { CELL_MISSING, CELL_PRESENT } from '../table/batch.js';
import type { ColumnValues } from '../table/batch.js';
import type { Layout } from './layout.js';

const SEED_A = 0x9747b28c;
const SEED_B = 0x2f1a3c5d;
// A NaN payload no value takes (every NaN is canonicalised first) marks missing and invalid cells.
const TAG_HI = 0x7ff80000;
const TAG_MISSING = 0x0000dead;
const TAG_INVALID = 0x0000beef;
// Per-column string caches are cleared when they reach this size, bounding their memory.
const STRING_CACHE_MAX = 16_384;

function mixA(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixB(h: number, k: number): number {
  h = (h + Math.imul(k, 0x85ebca77)) | 0;
  h = (h << 13) | (h >>> 19);
  return Math.imul(h, 0x9e3779b1);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The canonical form used by near-duplicate keys: NFKC, trimmed, lower case, single spaces. */
function normaliseText(s: string): string {
  return s.normalize('NFKC').trim().toLowerCase().replace(/\s+/gu, ' ');
}

function hashText(s: string): [number, number] {
  let a = SEED_A;
  let b = SEED_B;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = mixA(a, c);
    b = mixB(b, c);
  }
  return [fmix(a ^ s.length), fmix(b ^ s.length)];
}

/** Per-batch hash outputs; arrays are reused across batches of equal or smaller size. */
export interface RowHashes {
  /** Feature hash (all columns but the label). */
  f1: Uint32Array;
  f2: Uint32Array;
  /** Exact hash (all columns); the same arrays as the feature hash when there is no label. */
  e1: Uint32Array;
  e2: Uint32Array;
  /** Near-duplicate hash (numbers rounded to the grid, text normalised). */
  n1: Uint32Array;
  n2: Uint32Array;
  /** The label cell's own 32-bit hash, and 1 where the label is missing. */
  label: Uint32Array;
  labelMissing: Uint8Array;
}

/** Hashes rows of aligned batches; keeps string caches across batches. */
export class RowHasher {
  readonly #layout: Layout;
  /** Grid step per column for near-duplicate keys; 0 keeps the exact value. */
  readonly #steps: Float64Array;
  readonly #cache: Map<string, [number, number, number, number]>[];
  #out: RowHashes | undefined;
  // Column-wide scratch: canonical values (and grid buckets) viewed as 32-bit words.
  #values = new Float64Array(0);
  #buckets = new Float64Array(0);

  constructor(layout: Layout, steps: Float64Array) {
    this.#layout = layout;
    this.#steps = steps;
    this.#cache = layout.columns.map((): TextCache => new Map());
  }

  /**
   * Hashes `rows` rows of the aligned columns; `near` false skips the near-duplicate keys. The
   * result is overwritten by the next call.
   */
  hash(columns: readonly ColumnValues[], rows: number, near = true): RowHashes {
    const out = this.#buffers(rows);
    const features = this.#layout.hasLabel ? columns.length - 1 : columns.length;
    out.f1.fill(SEED_A, 0, rows);
    out.f2.fill(SEED_B, 0, rows);
    out.n1.fill(SEED_A, 0, rows);
    out.n2.fill(SEED_B, 0, rows);
    for (let c = 0; c < features; c++) {
      this.#fold(c, columns[c] as ColumnValues, rows, out.f1, out.f2, near ? out : null);
    }
    if (this.#layout.hasLabel) {
      out.e1.set(out.f1.subarray(0, rows));
      out.e2.set(out.f2.subarray(0, rows));
      const label = columns[features] as ColumnValues;
      this.#fold(features, label, rows, out.e1, out.e2, near ? out : null);
      labelCodes(label, rows, out, this.#cache[features] as TextCache);
    }
    const n = columns.length;
    for (let i = 0; i < rows; i++) {
      finish(out.f1, out.f2, i, features);
      if (this.#layout.hasLabel) finish(out.e1, out.e2, i, n);
      if (near) finish(out.n1, out.n2, i, n);
    }
    return out;
  }

  /** Folds column `c` into (h1, h2) and, when `near` is given, into the near-duplicate keys. */
  #fold(
    c: number,
    col: ColumnValues,
    rows: number,
    h1: Uint32Array,
    h2: Uint32Array,
    near: RowHashes | null,
  ): void {
    if (col.type === 'string') {
      foldText(col.values, rows, this.#cache[c] as TextCache, h1, h2, near);
    } else if (col.type === 'boolean') {
      foldBoolean(col.values, col.state, rows, h1, h2, near);
    } else {
      if (this.#values.length < rows) {
        this.#values = new Float64Array(rows);
        this.#buckets = new Float64Array(rows);
      }
      const step = near === null ? 0 : (this.#steps[c] as number);
      canonical(col.values, col.state, rows, step, this.#values, this.#buckets);
      const words = new Uint32Array(this.#values.buffer, 0, rows * 2);
      foldWords(words, rows, h1, h2);
      if (near !== null) {
        const nearWords = step > 0 ? new Uint32Array(this.#buckets.buffer, 0, rows * 2) : words;
        foldWords(nearWords, rows, near.n1, near.n2);
      }
    }
  }

  #buffers(rows: number): RowHashes {
    if (this.#out !== undefined && this.#out.f1.length >= rows) return this.#out;
    const size = Math.max(rows, 1024);
    const f1 = new Uint32Array(size);
    const f2 = new Uint32Array(size);
    const own = this.#layout.hasLabel;
    this.#out = {
      f1,
      f2,
      e1: own ? new Uint32Array(size) : f1,
      e2: own ? new Uint32Array(size) : f2,
      n1: new Uint32Array(size),
      n2: new Uint32Array(size),
      label: new Uint32Array(size),
      labelMissing: new Uint8Array(size),
    };
    return this.#out;
  }
}

type TextCache = Map<string, [number, number, number, number]>;

/**
 * Canonical cell values into `values` (-0 as 0, one NaN, missing and invalid cells as NaN
 * payloads no value takes) and, with a grid step, rounded buckets into `buckets`.
 */
function canonical(
  src: Float64Array,
  state: Uint8Array,
  rows: number,
  step: number,
  values: Float64Array,
  buckets: Float64Array,
): void {
  const tags = new Uint32Array(values.buffer);
  for (let i = 0; i < rows; i++) {
    const st = state[i] as number;
    if (st === CELL_PRESENT) {
      const v = src[i] as number;
      values[i] = v === 0 ? 0 : v !== v ? NaN : v;
    } else {
      tags[2 * i] = st === CELL_MISSING ? TAG_MISSING : TAG_INVALID;
      tags[2 * i + 1] = TAG_HI;
    }
  }
  if (step <= 0) return;
  for (let i = 0; i < rows; i++) {
    const v = values[i] as number;
    // Non-finite values and the tags (NaN payloads) keep their exact words.
    buckets[i] = Number.isFinite(v) ? Math.round(v / step) : v;
  }
}

function foldWords(words: Uint32Array, rows: number, h1: Uint32Array, h2: Uint32Array): void {
  for (let i = 0; i < rows; i++) {
    const lo = words[2 * i] as number;
    const hi = words[2 * i + 1] as number;
    h1[i] = mixA(mixA(h1[i] as number, lo), hi);
    h2[i] = mixB(mixB(h2[i] as number, lo), hi);
  }
}

function foldBoolean(
  values: Uint8Array,
  state: Uint8Array,
  rows: number,
  h1: Uint32Array,
  h2: Uint32Array,
  near: RowHashes | null,
): void {
  for (let i = 0; i < rows; i++) {
    const st = state[i] as number;
    const w = st === CELL_PRESENT ? (values[i] as number) : st + 1;
    h1[i] = mixA(h1[i] as number, w);
    h2[i] = mixB(h2[i] as number, w);
    if (near !== null) {
      near.n1[i] = mixA(near.n1[i] as number, w);
      near.n2[i] = mixB(near.n2[i] as number, w);
    }
  }
}

function foldText(
  values: readonly (string | null)[],
  rows: number,
  cache: TextCache,
  h1: Uint32Array,
  h2: Uint32Array,
  near: RowHashes | null,
): void {
  for (let i = 0; i < rows; i++) {
    const s = values[i];
    let a = TAG_MISSING;
    let b = TAG_HI;
    let na = a;
    let nb = b;
    if (s !== null && s !== undefined) {
      let hit = cache.get(s);
      if (hit === undefined) {
        if (cache.size >= STRING_CACHE_MAX) cache.clear();
        hit = [...hashText(s), ...hashText(normaliseText(s))] as [number, number, number, number];
        cache.set(s, hit);
      }
      [a, b, na, nb] = hit;
    }
    h1[i] = mixA(mixA(h1[i] as number, a), b);
    h2[i] = mixB(mixB(h2[i] as number, a), b);
    if (near !== null) {
      near.n1[i] = mixA(mixA(near.n1[i] as number, na), nb);
      near.n2[i] = mixB(mixB(near.n2[i] as number, na), nb);
    }
  }
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** The label cell's own 32-bit code (equal labels, equal codes) and its missing flag. */
function labelCodes(col: ColumnValues, rows: number, out: RowHashes, cache: TextCache): void {
  for (let i = 0; i < rows; i++) {
    let missing: boolean;
    let code = 0;
    if (col.type === 'string') {
      const s = col.values[i];
      missing = s === null || s === undefined;
      // foldText has just cached every label of this batch.
      if (!missing) code = cache.get(s as string)?.[0] ?? hashText(s as string)[0];
    } else {
      const v = col.values[i] as number;
      missing = col.state[i] !== CELL_PRESENT || v !== v;
      f64[0] = v === 0 ? 0 : v;
      code = fmix(mixA(mixA(SEED_A, u32[0] as number), u32[1] as number));
    }
    out.labelMissing[i] = missing ? 1 : 0;
    out.label[i] = missing ? 0 : code >>> 0;
  }
}

/** Finalises row i's pair; (0, 0) is the hash tables' empty slot, so it becomes (0, 1). */
function finish(h1: Uint32Array, h2: Uint32Array, i: number, n: number): void {
  const a = fmix((h1[i] as number) ^ n);
  const b = fmix((h2[i] as number) ^ Math.imul(n, 0x27d4eb2f));
  h1[i] = a;
  h2[i] = a === 0 && b === 0 ? 1 : b;
}
