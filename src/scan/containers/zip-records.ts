/**
 * Zip records read straight from the bytes: the end-of-central-directory record (found the way
 * CPython's zipfile finds it, zip64 included), central directory entries and local headers.
 * Nothing here trusts one record to agree with another; the scanner compares them.
 */
import { crc32 } from 'node:zlib';
import type { ByteSource } from '../source.js';

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX32 = 0xffffffff;
const MAX_COMMENT = 0xffff;

/** The end-of-central-directory record, with where the directory really starts. */
export interface EndRecord {
  readonly offset: number;
  readonly entries: number;
  readonly directorySize: number;
  /** The directory offset as stored. */
  readonly directoryOffset: number;
  /** Bytes before the archive (CPython's `concat`): stored offsets are shifted by this much. */
  readonly shift: number;
  readonly zip64: boolean;
}

/** A central directory entry. */
export interface CentralEntry {
  readonly flags: number;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly nameBytes: Uint8Array;
  /** Offset of the local header as stored (before the shift). */
  readonly localOffset: number;
  /** The Info-ZIP Unicode Path (0x7075) name CPython prefers, when present and valid. */
  readonly unicodePath: Uint8Array | undefined;
}

/** A local file header. */
export interface LocalHeader {
  readonly offset: number;
  readonly flags: number;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly nameBytes: Uint8Array;
  readonly dataStart: number;
  readonly zip64: boolean;
}

/** Finds the end record: with no comment at the very end, else the last signature in the tail. */
export async function readEndRecord(source: ByteSource): Promise<EndRecord | undefined> {
  if (source.size < 22) return undefined;
  const tailStart = Math.max(0, source.size - 22 - MAX_COMMENT);
  const tail = await source.read(tailStart, source.size - tailStart);
  const view = viewOf(tail);
  let at = tail.length - 22;
  if (view.getUint32(at, true) !== EOCD || view.getUint16(at + 20, true) !== 0) {
    for (at = tail.length - 22; at >= 0 && view.getUint32(at, true) !== EOCD; at--);
    if (at < 0) return undefined;
  }
  const offset = tailStart + at;
  let entries = view.getUint16(at + 10, true);
  let directorySize = view.getUint32(at + 12, true);
  let directoryOffset = view.getUint32(at + 16, true);
  let zip64 = false;
  // CPython looks for the zip64 record only right before the zip64 locator.
  if (offset >= 76) {
    const record = viewOf(await source.read(offset - 76, 76));
    if (record.getUint32(56, true) === EOCD64_LOCATOR && record.getUint32(0, true) === EOCD64) {
      entries = u64(record, 32);
      directorySize = u64(record, 40);
      directoryOffset = u64(record, 48);
      zip64 = true;
    }
  }
  const shift = offset - directorySize - directoryOffset - (zip64 ? 76 : 0);
  return { offset, entries, directorySize, directoryOffset, shift, zip64 };
}

/** Parses at most `limit` entries of the whole directory in `bytes`; stops at a bad one. */
export function parseCentralDirectory(
  bytes: Uint8Array,
  limit: number,
): { entries: CentralEntry[]; error: string | undefined } {
  const view = viewOf(bytes);
  const entries: CentralEntry[] = [];
  let at = 0;
  while (at < bytes.length && entries.length < limit) {
    if (at + 46 > bytes.length) return { entries, error: 'the central directory is truncated' };
    if (view.getUint32(at, true) !== CENTRAL) {
      return { entries, error: `bad central directory signature at directory byte ${at}` };
    }
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > bytes.length) return { entries, error: 'a central directory entry is truncated' };
    const nameBytes = bytes.subarray(at + 46, at + 46 + nameLength);
    const extra = bytes.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    const sizes = zip64Sizes(extra, [
      view.getUint32(at + 24, true),
      view.getUint32(at + 20, true),
      view.getUint32(at + 42, true),
    ]);
    entries.push({
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      size: sizes[0] ?? 0,
      compressedSize: sizes[1] ?? 0,
      localOffset: sizes[2] ?? 0,
      nameBytes,
      unicodePath: unicodePath(extra, nameBytes),
    });
    at = end;
  }
  return { entries, error: undefined };
}

/** Reads the local header at `offset`; undefined when there is none. */
export async function readLocalHeader(
  source: ByteSource,
  offset: number,
): Promise<LocalHeader | undefined> {
  if (offset < 0 || offset + 30 > source.size) return undefined;
  const fixed = await source.read(offset, 30);
  if (fixed.length < 30) return undefined;
  const view = viewOf(fixed);
  if (view.getUint32(0, true) !== LOCAL) return undefined;
  const nameLength = view.getUint16(26, true);
  const extraLength = view.getUint16(28, true);
  const variable = await source.read(offset + 30, nameLength + extraLength);
  if (variable.length < nameLength + extraLength) return undefined;
  const extra = variable.subarray(nameLength);
  const stored = [view.getUint32(22, true), view.getUint32(18, true)];
  const sizes = zip64Sizes(extra, stored);
  return {
    offset,
    flags: view.getUint16(6, true),
    method: view.getUint16(8, true),
    size: sizes[0] ?? 0,
    compressedSize: sizes[1] ?? 0,
    nameBytes: variable.subarray(0, nameLength),
    dataStart: offset + 30 + nameLength + extraLength,
    zip64: stored.includes(MAX32),
  };
}

/** True when a local header signature is at `offset`. */
export async function hasLocalHeader(source: ByteSource, offset: number): Promise<boolean> {
  if (offset < 0 || offset + 4 > source.size) return false;
  const bytes = await source.read(offset, 4);
  return bytes.length === 4 && viewOf(bytes).getUint32(0, true) === LOCAL;
}

/** True when a central directory signature is at `offset`. */
export async function hasCentralHeader(source: ByteSource, offset: number): Promise<boolean> {
  if (offset < 0 || offset + 4 > source.size) return false;
  const bytes = await source.read(offset, 4);
  return bytes.length === 4 && viewOf(bytes).getUint32(0, true) === CENTRAL;
}

// The zip64 extra field (0x0001) holds, in order, a 64-bit value for each of the given 32-bit
// fields that is 0xFFFFFFFF.
function zip64Sizes(extra: Uint8Array, values: number[]): number[] {
  const field = extraField(extra, 0x0001);
  if (field === undefined) return values;
  const view = viewOf(field);
  let at = 0;
  return values.map((value) => {
    if (value !== MAX32 || at + 8 > field.length) return value;
    const wide = u64(view, at);
    at += 8;
    return wide;
  });
}

// CPython uses the Info-ZIP Unicode Path only when it carries the CRC-32 of the stored name.
function unicodePath(extra: Uint8Array, nameBytes: Uint8Array): Uint8Array | undefined {
  const field = extraField(extra, 0x7075);
  if (field === undefined || field.length < 6 || field[0] !== 1) return undefined;
  if (viewOf(field).getUint32(1, true) !== crc32(nameBytes)) return undefined;
  return field.subarray(5);
}

function extraField(extra: Uint8Array, id: number): Uint8Array | undefined {
  const view = viewOf(extra);
  for (let at = 0; at + 4 <= extra.length;) {
    const length = view.getUint16(at + 2, true);
    if (view.getUint16(at, true) === id)
      return extra.subarray(at + 4, Math.min(extra.length, at + 4 + length));
    at += 4 + length;
  }
  return undefined;
}

function u64(view: DataView, at: number): number {
  const value = view.getBigUint64(at, true);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
