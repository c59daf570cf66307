/**
 * A streaming LZMA decoder (the algorithm of the LZMA SDK's reference decoder, LzmaSpec.cpp),
 * shared by .lzma (joblib), xz/LZMA2 and zip method 14. Its window only grows as output is
 * produced and never past 64 MiB, so a header that claims a huge dictionary cannot
 * make it allocate.
 */
import { DecodeError, type InputWindow } from './input-window.js';
import { RangeDecoder } from './range-coder.js';

// The largest dictionary window kept (xz's presets use at most 64 MiB).
const MAX_WINDOW = 64 * 1024 * 1024;
/** Most input one symbol can consume; drivers keep this much buffered while input remains. */
export const LOOKAHEAD = 128;

const MATCH_MIN = 2;
const END_POS_MODEL = 14;
const FULL_DISTANCES = 128;
const ALIGN_BITS = 4;
// Offsets into the table of fixed-size probabilities.
const IS_MATCH = 0;
const IS_REP = 192;
const IS_REP_G0 = 204;
const IS_REP_G1 = 216;
const IS_REP_G2 = 228;
const IS_REP0_LONG = 240;
const POS_SLOT = 432;
const POS_SPECIAL = 688;
const ALIGN = 688 + 1 + FULL_DISTANCES - END_POS_MODEL;
const LEN = ALIGN + 16;
const REP_LEN = LEN + 514;
const PROBS = REP_LEN + 514;

/** lc/lp/pb packed in one byte, as in .lzma and LZMA2 headers. */
export interface LzmaProps {
  readonly lc: number;
  readonly lp: number;
  readonly pb: number;
}

/** Decodes the properties byte; undefined when it is out of range. */
export function lzmaProps(byte: number): LzmaProps | undefined {
  if (byte >= 225) return undefined;
  return { lc: byte % 9, lp: Math.floor(byte / 9) % 5, pb: Math.floor(byte / 45) };
}

/** Why {@link LzmaDecoder.decode} returned. */
export type LzmaStatus = 'output-full' | 'need-input' | 'size-reached' | 'end-marker';

/** LZMA decoding state over an input window; the driver owns buffering and chunking. */
export class LzmaDecoder {
  readonly #in: InputWindow;
  readonly #rc: RangeDecoder;
  #probs = new Uint16Array(PROBS);
  #lit = new Uint16Array(0x300);
  #lc = 0;
  #lp = 0;
  #pb = 0;
  #dictSize = 0;
  #window = new Uint8Array(0);
  #pos = 0;
  #full = false;
  #total = 0;
  #state = 0;
  #rep0 = 0;
  #rep1 = 0;
  #rep2 = 0;
  #rep3 = 0;
  #out = new Uint8Array(0);
  #outLength = 0;

  constructor(input: InputWindow) {
    this.#in = input;
    this.#rc = new RangeDecoder(input);
  }

  /** Starts the range decoder on the next five input bytes. */
  initRange(): void {
    this.#rc.init();
  }

  /** Sets lc/lp/pb (and clears the probabilities, as a new property set requires). */
  setProps(props: LzmaProps): void {
    this.#lc = props.lc;
    this.#lp = props.lp;
    this.#pb = props.pb;
    this.#lit = new Uint16Array(0x300 << (props.lc + props.lp));
    this.resetState();
  }

  /** Empties the dictionary; `dictSize` bounds match distances. */
  resetDictionary(dictSize: number): void {
    this.#dictSize = Math.max(dictSize, 4096);
    this.#window = new Uint8Array(Math.min(this.#dictSize, MAX_WINDOW, 64 * 1024));
    this.#pos = 0;
    this.#full = false;
    this.#total = 0;
  }

  /** Resets probabilities, state and repeat distances (LZMA2 state reset). */
  resetState(): void {
    this.#probs.fill(1024);
    this.#lit.fill(1024);
    this.#state = 0;
    this.#rep0 = this.#rep1 = this.#rep2 = this.#rep3 = 0;
  }

  /** Copies bytes into the window and output unchanged (LZMA2 uncompressed chunks). */
  copyStored(bytes: Uint8Array): Uint8Array {
    this.#startOutput(bytes.length);
    for (const byte of bytes) this.#put(byte);
    return this.#takeOutput();
  }

  // Stops when about `maxOut` bytes are out, `remaining` (the known size) is reached, an end
  // marker is read, or (unless `inputEnded`) less than LOOKAHEAD input is buffered.
  /** Decodes the next piece of output. */
  decode(
    maxOut: number,
    remaining: number,
    inputEnded: boolean,
  ): { bytes: Uint8Array; status: LzmaStatus } {
    this.#startOutput(Math.min(maxOut, remaining) + 273);
    let status: LzmaStatus = 'output-full';
    let left = remaining;
    const input = this.#in;
    while (this.#outLength < maxOut) {
      if (left <= 0) {
        status = 'size-reached';
        break;
      }
      if (!inputEnded && input.end - input.pos < LOOKAHEAD) {
        status = 'need-input';
        break;
      }
      const produced = this.#symbol(left);
      if (produced < 0) {
        status = 'end-marker';
        break;
      }
      left -= produced;
    }
    return { bytes: this.#takeOutput(), status };
  }

  // One literal or match; returns the bytes produced, or -1 for the end marker.
  #symbol(left: number): number {
    const posState = this.#total & ((1 << this.#pb) - 1);
    const state = this.#state;
    if (this.#rc.bit(this.#probs, IS_MATCH + (state << 4) + posState) === 0) {
      this.#literal();
      this.#state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      return 1;
    }
    let len: number;
    if (this.#rc.bit(this.#probs, IS_REP + state) !== 0) {
      if (this.#available() === 0) throw new DecodeError('an LZMA repeat before any output');
      if (this.#rc.bit(this.#probs, IS_REP_G0 + state) === 0) {
        if (this.#rc.bit(this.#probs, IS_REP0_LONG + (state << 4) + posState) === 0) {
          this.#state = state < 7 ? 9 : 11;
          this.#put(this.#byteAt(this.#rep0 + 1));
          return 1;
        }
      } else {
        let dist: number;
        if (this.#rc.bit(this.#probs, IS_REP_G1 + state) === 0) dist = this.#rep1;
        else {
          if (this.#rc.bit(this.#probs, IS_REP_G2 + state) === 0) dist = this.#rep2;
          else {
            dist = this.#rep3;
            this.#rep3 = this.#rep2;
          }
          this.#rep2 = this.#rep1;
        }
        this.#rep1 = this.#rep0;
        this.#rep0 = dist;
      }
      len = this.#length(REP_LEN, posState);
      this.#state = state < 7 ? 8 : 11;
    } else {
      this.#rep3 = this.#rep2;
      this.#rep2 = this.#rep1;
      this.#rep1 = this.#rep0;
      len = this.#length(LEN, posState);
      this.#state = state < 7 ? 7 : 10;
      this.#rep0 = this.#distance(len);
      if (this.#rep0 === 0xffffffff) return -1;
      if (this.#rep0 >= this.#dictSize)
        throw new DecodeError('an LZMA match beyond the dictionary');
    }
    len += MATCH_MIN;
    if (len > left) throw new DecodeError('an LZMA match runs past the declared size');
    const dist = this.#rep0 + 1;
    if (dist > this.#available())
      throw new DecodeError('an LZMA match before the start of the data');
    for (let i = 0; i < len; i++) this.#put(this.#byteAt(dist));
    return len;
  }

  #literal(): void {
    const prev = this.#available() > 0 ? this.#byteAt(1) : 0;
    const litState =
      ((this.#total & ((1 << this.#lp) - 1)) << this.#lc) + (prev >>> (8 - this.#lc));
    const base = 0x300 * litState;
    let symbol = 1;
    if (this.#state >= 7) {
      const dist = this.#rep0 + 1;
      if (dist > this.#available()) throw new DecodeError('an LZMA literal refers before the data');
      let match = this.#byteAt(dist);
      do {
        const matchBit = (match >>> 7) & 1;
        match <<= 1;
        const bit = this.#rc.bit(this.#lit, base + ((1 + matchBit) << 8) + symbol);
        symbol = (symbol << 1) | bit;
        if (matchBit !== bit) break;
      } while (symbol < 0x100);
    }
    while (symbol < 0x100) symbol = (symbol << 1) | this.#rc.bit(this.#lit, base + symbol);
    this.#put(symbol - 0x100);
  }

  #length(base: number, posState: number): number {
    const probs = this.#probs;
    if (this.#rc.bit(probs, base) === 0)
      return this.#rc.tree(this.#probs, base + 2 + (posState << 3), 3);
    if (this.#rc.bit(probs, base + 1) === 0)
      return 8 + this.#rc.tree(this.#probs, base + 130 + (posState << 3), 3);
    return 16 + this.#rc.tree(this.#probs, base + 258, 8);
  }

  #distance(len: number): number {
    const slot = this.#rc.tree(this.#probs, POS_SLOT + (Math.min(len, 3) << 6), 6);
    if (slot < 4) return slot;
    const direct = (slot >>> 1) - 1;
    let dist = (2 | (slot & 1)) * 2 ** direct;
    if (slot < END_POS_MODEL)
      return dist + this.#rc.reverse(this.#probs, POS_SPECIAL + dist - slot, direct);
    dist += this.#rc.direct(direct - ALIGN_BITS) * 16;
    return dist + this.#rc.reverse(this.#probs, ALIGN, ALIGN_BITS);
  }

  #available(): number {
    return this.#full ? this.#window.length : this.#pos;
  }

  #byteAt(dist: number): number {
    let i = this.#pos - dist;
    if (i < 0) i += this.#window.length;
    return this.#window[i] ?? 0;
  }

  #put(byte: number): void {
    if (this.#pos === this.#window.length) this.#advanceWindow();
    this.#window[this.#pos++] = byte;
    this.#total++;
    this.#out[this.#outLength++] = byte;
  }

  // The window grows by doubling up to the dictionary size, then wraps around.
  #advanceWindow(): void {
    const limit = Math.min(this.#dictSize, MAX_WINDOW);
    if (!this.#full && this.#window.length < limit) {
      const grown = new Uint8Array(Math.min(limit, this.#window.length * 2));
      grown.set(this.#window);
      this.#window = grown;
      return;
    }
    this.#pos = 0;
    this.#full = true;
  }

  #startOutput(capacity: number): void {
    if (this.#out.length < capacity) this.#out = new Uint8Array(capacity);
    this.#outLength = 0;
  }

  #takeOutput(): Uint8Array {
    return this.#out.slice(0, this.#outLength);
  }
}
