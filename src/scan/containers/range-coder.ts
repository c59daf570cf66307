/**
 * The LZMA range decoder: adaptive binary probabilities, bit trees and direct bits. It
 * normalises before each bit, as liblzma does, so it never reads a byte the data does not need
 * (LZMA2 chunks end exactly where their last bit does).
 */
import { DecodeError, type InputWindow } from './input-window.js';

const TOP = 0x1000000;

/** A range decoder reading from an input window; probabilities live in the caller's arrays. */
export class RangeDecoder {
  readonly #in: InputWindow;
  #range = 0;
  #code = 0;

  constructor(input: InputWindow) {
    this.#in = input;
  }

  /** Starts on the next five input bytes (a zero byte, then the initial code). */
  init(): void {
    if (this.#in.byte() !== 0) throw new DecodeError('the LZMA range coder does not start at 0');
    this.#range = 0xffffffff;
    let code = 0;
    for (let i = 0; i < 4; i++) code = ((code << 8) | this.#in.byte()) >>> 0;
    this.#code = code;
    if (code === this.#range) throw new DecodeError('the LZMA range coder start is corrupt');
  }

  /** Decodes one bit with the probability at `probs[index]` and adapts it. */
  bit(probs: Uint16Array, index: number): number {
    this.#normalize();
    const p = probs[index] ?? 1024;
    const bound = (this.#range >>> 11) * p;
    if (this.#code < bound) {
      this.#range = bound;
      probs[index] = p + ((2048 - p) >>> 5);
      return 0;
    }
    this.#range -= bound;
    this.#code -= bound;
    probs[index] = p - (p >>> 5);
    return 1;
  }

  /** Decodes a `bits`-bit symbol, most significant bit first, with the tree at `base`. */
  tree(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(probs, base + m);
    return m - (1 << bits);
  }

  /** Decodes a `bits`-bit symbol, least significant bit first, with the tree at `base`. */
  reverse(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const bit = this.bit(probs, base + m);
      m = (m << 1) | bit;
      symbol |= bit << i;
    }
    return symbol;
  }

  /** Decodes `bits` bits of fixed probability one half. */
  direct(bits: number): number {
    let result = 0;
    for (let i = 0; i < bits; i++) {
      this.#normalize();
      this.#range = this.#range >>> 1;
      let bit = 0;
      if (this.#code >= this.#range) {
        this.#code -= this.#range;
        bit = 1;
      }
      result = result * 2 + bit;
    }
    return result;
  }

  #normalize(): void {
    if (this.#range < TOP) {
      this.#range = (this.#range << 8) >>> 0;
      this.#code = ((this.#code << 8) | this.#in.byte()) >>> 0;
    }
  }
}
