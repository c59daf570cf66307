/**
 * Test support (not used by the scanner): a small zip writer with switches for the tricks the
 * reader must survive: bad CRCs, flag bits, local/central disagreements, members missing from
 * the central directory, prefixed bytes and zip64 records.
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';

/** One member and how to corrupt it. */
export interface TestEntry {
  readonly name: string;
  readonly data: Uint8Array;
  /** 0 stored (default), 8 deflate, or any number with `compressed` giving the bytes. */
  readonly method?: number;
  /** The member's bytes as written, for methods this writer does not compress itself. */
  readonly compressed?: Uint8Array;
  readonly flags?: number;
  /** A different name in the local header. */
  readonly localName?: string;
  /** Sizes written in the local header instead of the real ones. */
  readonly localSizes?: { readonly compressed: number; readonly size: number };
  /** The uncompressed size written in both headers instead of the real one. */
  readonly declaredSize?: number;
  readonly badCrc?: boolean;
  /** Written as a local entry only, left out of the central directory. */
  readonly hidden?: boolean;
  /** Written in the central directory only (use with `centralOffset`). */
  readonly centralOnly?: boolean;
  /** The central directory points here instead of at the local header. */
  readonly centralOffset?: number;
  /** An Info-ZIP Unicode Path (0x7075) name in the central directory, as CPython reads it. */
  readonly unicodePath?: string;
  /** Sizes and offset go in zip64 extra fields. */
  readonly zip64?: boolean;
}

/** Archive-level switches. */
export interface TestZipOptions {
  /** Bytes before the archive; offsets stay relative to the archive, as when concatenated. */
  readonly prefix?: Uint8Array;
  /** Adds zip64 end records and marks the 32-bit end record fields as 0xFFFF/0xFFFFFFFF. */
  readonly zip64?: boolean;
  readonly comment?: string;
  /** The entry count written in the end record. */
  readonly count?: number;
  /** The central directory offset written in the end record. */
  readonly directoryOffset?: number;
}

/** Builds a zip archive. */
export function buildZip(entries: readonly TestEntry[], options: TestZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  let listed = 0;
  for (const entry of entries) {
    const method = entry.method ?? 0;
    const body = Buffer.from(
      entry.compressed ?? (method === 8 ? deflateRawSync(entry.data) : entry.data),
    );
    const crc = (crc32(entry.data) ^ (entry.badCrc === true ? 1 : 0)) >>> 0;
    const flags = entry.flags ?? 0;
    const name = Buffer.from(entry.name);
    const localName = Buffer.from(entry.localName ?? entry.name);
    const size = entry.declaredSize ?? entry.data.length;
    const sizes = entry.localSizes ?? { compressed: body.length, size };
    const zip64 = entry.zip64 === true;
    const localExtra = zip64 ? extra64([sizes.size, sizes.compressed]) : Buffer.alloc(0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(zip64 ? 45 : 20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(zip64 ? 0xffffffff : sizes.compressed, 18);
    local.writeUInt32LE(zip64 ? 0xffffffff : sizes.size, 22);
    local.writeUInt16LE(localName.length, 26);
    local.writeUInt16LE(localExtra.length, 28);
    if (entry.centralOnly !== true) locals.push(local, localName, localExtra, body);
    if (entry.hidden !== true) {
      const at = entry.centralOffset ?? offset;
      const centralExtra = Buffer.concat([
        zip64 ? extra64([size, body.length, at]) : Buffer.alloc(0),
        entry.unicodePath === undefined ? Buffer.alloc(0) : unicodeExtra(name, entry.unicodePath),
      ]);
      const central = Buffer.alloc(46);
      central.writeUInt32LE(0x02014b50, 0);
      central.writeUInt16LE(0x031e, 4);
      central.writeUInt16LE(zip64 ? 45 : 20, 6);
      central.writeUInt16LE(flags, 8);
      central.writeUInt16LE(method, 10);
      central.writeUInt16LE(0x21, 14);
      central.writeUInt32LE(crc, 16);
      central.writeUInt32LE(zip64 ? 0xffffffff : body.length, 20);
      central.writeUInt32LE(zip64 ? 0xffffffff : size, 24);
      central.writeUInt16LE(name.length, 28);
      central.writeUInt16LE(centralExtra.length, 30);
      central.writeUInt32LE(zip64 ? 0xffffffff : at, 42);
      centrals.push(central, name, centralExtra);
      listed++;
    }
    if (entry.centralOnly !== true)
      offset += 30 + localName.length + localExtra.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const comment = Buffer.from(options.comment ?? '');
  const count = options.count ?? listed;
  const tail: Buffer[] = [];
  if (options.zip64 === true) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(options.zip64 === true ? 0xffff : count, 8);
  end.writeUInt16LE(options.zip64 === true ? 0xffff : count, 10);
  end.writeUInt32LE(options.zip64 === true ? 0xffffffff : directory.length, 12);
  end.writeUInt32LE(options.zip64 === true ? 0xffffffff : (options.directoryOffset ?? offset), 16);
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([
    options.prefix ?? Buffer.alloc(0),
    ...locals,
    directory,
    ...tail,
    end,
    comment,
  ]);
}

function unicodeExtra(stored: Buffer, name: string): Buffer {
  const utf8 = Buffer.from(name);
  const field = Buffer.alloc(9 + utf8.length);
  field.writeUInt16LE(0x7075, 0);
  field.writeUInt16LE(5 + utf8.length, 2);
  field.writeUInt8(1, 4);
  field.writeUInt32LE(crc32(stored), 5);
  utf8.copy(field, 9);
  return field;
}

function extra64(values: readonly number[]): Buffer {
  const field = Buffer.alloc(4 + 8 * values.length);
  field.writeUInt16LE(1, 0);
  field.writeUInt16LE(8 * values.length, 2);
  values.forEach((value, i) => field.writeBigUInt64LE(BigInt(value), 4 + 8 * i));
  return field;
}

/** Raw deflate data for `mebibytes` MiB of zeros, built without allocating them (a bomb). */
export function zeroDeflate(mebibytes: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array<Buffer>(mebibytes).fill(block), Buffer.from([0x03, 0x00])]);
}
