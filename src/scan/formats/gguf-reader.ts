/**
 * Low-level GGUF reading: numbers in the file's byte order, lengths that are 32-bit in version 1
 * and 64-bit later, strings bounded by the bytes left and by the header size limit.
 */
import type { Cursor } from './cursor.js';

const UTF8 = new TextDecoder();

/** A structural error that stops parsing. */
export class Malformed extends Error {
  constructor(
    readonly check: string,
    message: string,
  ) {
    super(message);
  }
}

/** The header is larger than the scan limit: a problem, not a finding. */
export class HeaderLimit extends Error {}

/** Reads GGUF numbers and strings in the file's byte order and version. */
export class Reader {
  littleEndian = true;
  wide = true;
  constructor(
    readonly cursor: Cursor,
    readonly limit: number,
  ) {}

  async u32(): Promise<number> {
    return (await this.cursor.view(4)).getUint32(0, this.littleEndian);
  }

  async u64(): Promise<bigint> {
    return (await this.cursor.view(8)).getBigUint64(0, this.littleEndian);
  }

  /** A count or length: u32 in GGUF v1, u64 later; bounded by the bytes that are left. */
  async length(what: string, unit = 1): Promise<number> {
    const value = this.wide ? await this.u64() : BigInt(await this.u32());
    if (value * BigInt(unit) > BigInt(this.cursor.remaining)) {
      throw new Malformed('length', `${what} ${value} runs past the end of the file`);
    }
    return Number(value);
  }

  // Vocabularies hold 10⁵ strings: skip one without awaiting when its length is at hand.
  skipBufferedString(): boolean {
    const view = this.cursor.take(this.wide ? 8 : 4);
    if (view === undefined) return false;
    const le = this.littleEndian;
    const high = this.wide ? view.getUint32(le ? 4 : 0, le) : 0;
    const length = high * 2 ** 32 + view.getUint32(this.wide && !le ? 4 : 0, le);
    if (length > this.cursor.remaining) {
      throw new Malformed('length', `string length ${length} runs past the end of the file`);
    }
    if (this.cursor.position + length > this.limit) {
      throw new HeaderLimit(`the GGUF metadata is larger than the ${this.limit}-byte scan limit`);
    }
    this.cursor.skip(length);
    return true;
  }

  async string(what: string, keep: boolean, max = Infinity): Promise<string | undefined> {
    const length = await this.length(`${what} length`);
    if (length > max) throw new Malformed('name', `a ${what} is ${length} bytes long`);
    if (this.cursor.position + length > this.limit) {
      throw new HeaderLimit(`the GGUF metadata is larger than the ${this.limit}-byte scan limit`);
    }
    if (!keep) {
      this.cursor.skip(length);
      return undefined;
    }
    return UTF8.decode(await this.cursor.bytes(length));
  }
}
