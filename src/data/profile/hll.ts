/**
 * HyperLogLog distinct counter (Flajolet et al. 2007) with lg_k 12: 4,096 one-byte registers,
 * relative standard error 1.04/√4096 ≈ 1.6 %. Registers merge by maximum, so unions are exact
 * and order-independent; linear counting takes over for small cardinalities.
 */

/** log2 of the register count (whylogs' default `hll_lg_k`). */
export const HLL_LG_K = 12;
/** Number of registers. */
export const HLL_REGISTERS = 1 << HLL_LG_K;
/** Largest register value: 32 bits of rank from the low half, plus one. */
export const HLL_MAX_RANK = 33;

const ALPHA = 0.7213 / (1 + 1.079 / HLL_REGISTERS);
const INVERSE_POWERS = Float64Array.from({ length: HLL_MAX_RANK + 1 }, (_, rank) => 2 ** -rank);

/** A mergeable distinct-count sketch over 64-bit hashes. */
export class HyperLogLog {
  readonly registers: Uint8Array;

  constructor(registers?: Uint8Array) {
    this.registers = registers ?? new Uint8Array(HLL_REGISTERS);
  }

  /** Adds one hashed value: the top 12 bits of `high` pick a register, `low` gives the rank. */
  add(high: number, low: number): void {
    const index = high >>> (32 - HLL_LG_K);
    const rank = low === 0 ? HLL_MAX_RANK : Math.clz32(low) + 1;
    if (rank > (this.registers[index] ?? 0)) this.registers[index] = rank;
  }

  /** The estimated number of distinct values added. */
  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (const rank of this.registers) {
      sum += INVERSE_POWERS[rank] ?? 0;
      if (rank === 0) zeros++;
    }
    const raw = (ALPHA * HLL_REGISTERS * HLL_REGISTERS) / sum;
    // Linear counting is more accurate while many registers are still empty (HLL paper, §4).
    if (raw <= 2.5 * HLL_REGISTERS && zeros > 0) {
      return HLL_REGISTERS * Math.log(HLL_REGISTERS / zeros);
    }
    return raw;
  }

  /** The union of this sketch and `other`, as a new sketch. */
  union(other: HyperLogLog): HyperLogLog {
    const merged = new Uint8Array(HLL_REGISTERS);
    for (let i = 0; i < HLL_REGISTERS; i++) {
      merged[i] = Math.max(this.registers[i] ?? 0, other.registers[i] ?? 0);
    }
    return new HyperLogLog(merged);
  }
}
