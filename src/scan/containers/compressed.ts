/**
 * Whole-file compressed streams, as joblib writes them (`compress=` zlib, gzip, bz2, xz, lzma,
 * lz4): sniffed strictly by their headers, decoded as a stream under the inflate limits and
 * handed back to the engine, which sniffs and scans what is inside (usually a pickle).
 */
import { constants, inflateSync } from 'node:zlib';
import type { FormatScanner } from '../context.js';
import type { ByteSource } from '../source.js';
import { decodeBzip2 } from './bzip2.js';
import { DecodeGuard, decodedSource, type Decode } from './decoded.js';
import { decodeGzip, decodeZlib, isGzip } from './inflate.js';
import { InputWindow } from './input-window.js';
import { decodeLzmaAlone, decodeXz } from './xz.js';

/** A compressed-stream format {@link sniffCompression} recognises. */
export type Compression = 'zlib' | 'gzip' | 'bz2' | 'xz' | 'lzma' | 'lz4';

const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const LZ4 = [0x04, 0x22, 0x4d, 0x18];
// bzip2 block magic (pi) and end-of-stream magic (sqrt pi) after `BZh1`..`BZh9`.
const BZ_BLOCK = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
const BZ_END = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
// joblib before 0.10: "ZF", then the length as `0x…` hex padded with spaces to 19 bytes.
const ZFILE = /^ZF0x[0-9a-f]+L? *$/;
const ZLIB_PROBE = 1024;

/** The compressed-stream format `head` starts with, checked strictly enough for random bytes. */
export function sniffCompression(head: Uint8Array): Compression | undefined {
  if (isGzip(head)) return 'gzip';
  if (startsWith(head, XZ)) return 'xz';
  if (startsWith(head, LZ4)) return 'lz4';
  if (isBzip2(head)) return 'bz2';
  if (isZfile(head) || isZlib(head, 0)) return 'zlib';
  if (isLzmaAlone(head)) return 'lzma';
  return undefined;
}

/** Decompresses a joblib-style stream and scans its content as a nested item. */
export const scanCompressed: FormatScanner = async (source, context) => {
  const head = await source.read(0, ZLIB_PROBE + 32);
  const kind = sniffCompression(head);
  if (kind === undefined) {
    context.problem('compression-unknown', 'the compressed stream format was not recognised');
    return;
  }
  if (kind === 'lz4') {
    context.problem(
      'compression-unsupported',
      'lz4-compressed data (joblib compress="lz4") is not supported, so its contents were not scanned',
    );
    return;
  }
  const guard = new DecodeGuard(context, {
    what: `${kind} stream`,
    compressedSize: source.size,
    maxBytes: Infinity,
    corruptCode: 'compression-corrupt',
    unsupportedCode: 'compression-unsupported',
  });
  const decode: Decode = () => guard.run(decoder(kind, source));
  const decoded = await decodedSource(decode);
  if (decoded.size === 0 && guard.failed) return;
  await context.scanNested(`<decompressed ${kind}>`, decoded);
};

function decoder(kind: Exclude<Compression, 'lz4'>, source: ByteSource): Decode {
  switch (kind) {
    case 'zlib':
      return () => decodeZlib(source);
    case 'gzip':
      return () => decodeGzip(source);
    case 'bz2':
      return () => decodeBzip2(new InputWindow(source));
    case 'xz':
      return () => decodeXz(new InputWindow(source));
    case 'lzma':
      return () => decodeLzmaAlone(new InputWindow(source));
  }
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

function isBzip2(head: Uint8Array): boolean {
  const level = head[3] ?? 0;
  if (head[0] !== 0x42 || head[1] !== 0x5a || head[2] !== 0x68 || level < 0x31 || level > 0x39)
    return false;
  const magic = head.subarray(4, 10);
  return startsWith(magic, BZ_BLOCK) || startsWith(magic, BZ_END);
}

function isZfile(head: Uint8Array): boolean {
  if (head[0] !== 0x5a || head[1] !== 0x46 || head.length < 23) return false;
  const header = String.fromCharCode(...head.subarray(0, 21));
  if (!ZFILE.test(header)) return false;
  return isZlib(head, head[21] === 0x20 ? 22 : 21);
}

// A zlib header (32 KiB window, deflate, no preset dictionary, valid check bits) whose first
// kilobyte inflates to something without error; a shorter head is the whole file and must be a
// complete stream, or a few random bytes after "x^" would pass.
function isZlib(head: Uint8Array, at: number): boolean {
  const cmf = head[at];
  const flg = head[at + 1] ?? 0;
  if (cmf !== 0x78 || (cmf * 256 + flg) % 31 !== 0 || (flg & 0x20) !== 0) return false;
  const whole = head.length - at < ZLIB_PROBE;
  try {
    const out = inflateSync(head.subarray(at, at + ZLIB_PROBE), {
      finishFlush: whole ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      maxOutputLength: 1024 * 1024,
    });
    return out.length > 0;
  } catch (error) {
    return error instanceof RangeError;
  }
}

// An .lzma header as liblzma accepts it: the usual properties byte 0x5d (lc=3 lp=0 pb=2, all
// Python and joblib write), a dictionary of 2^n or 2^n + 2^(n-1) bytes, a size that is unknown
// or under 256 GiB, and a range coder that starts with a zero byte.
function isLzmaAlone(head: Uint8Array): boolean {
  if (head.length < 14 || head[0] !== 0x5d || head[13] !== 0) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.length);
  const dict = view.getUint32(1, true);
  let normal = 1;
  while (normal < dict && normal < 2 ** 31) normal *= 2;
  if (dict !== normal && dict !== normal - normal / 4) return false;
  const unknown = head.subarray(5, 13).every((b) => b === 0xff);
  return unknown || view.getBigUint64(5, true) < 2n ** 38n;
}
