/**
 * Opcodes with a fixed-size or length-prefixed binary argument. Payloads keep a bounded
 * prefix; the rest is skipped without being read when the source is seekable.
 */
import { extension } from './calls.js';
import type { Machine } from './machine.js';
import * as op from './opcodes.js';
import { readInt32, readUint32, readUint64, type Reader } from './reader.js';
import { FAIL, NEED, SKIP, STOPPED } from './status.js';
import { BIGINT, FLOAT } from './values.js';

/** Prefix kept of a payload: whole up to 64 KiB, but only 1 KiB of `bytes` that can be re-read. */
const KEEP = 64 * 1024;
const KEEP_SEEKABLE_BYTES = 1024;
/** Payloads up to this size are read through rather than skipped with a seek. */
const READ_THROUGH = 512 * 1024;
/** Payload bytes kept across all values before only short prefixes are kept. */
const RETAIN_BUDGET = 64 * 1024 * 1024;
const KEEP_OVER_BUDGET = 256;

/** A copy of at most the bytes the retention budget allows of `bytes`. */
export function keep(m: Machine, bytes: Uint8Array, limit: number): Uint8Array {
  let length = Math.min(limit, bytes.length);
  if (m.retained + length > RETAIN_BUDGET) length = Math.min(length, KEEP_OVER_BUDGET);
  m.retained += length;
  // A copy, never a view: Buffer#slice would pin the whole read window in memory.
  const copy = new Uint8Array(length);
  copy.set(bytes.subarray(0, length));
  return copy;
}

function fail(m: Machine, w: Reader, pos: number, code: string, message: string): number {
  m.problem(code, message, w.base + pos, true);
  w.pos = pos;
  m.status = FAIL;
  return STOPPED;
}

/**
 * Pushes a `str`/`bytes` payload of `size` bytes starting `header` bytes after `pos`;
 * returns the next position or STOPPED (NEED for the kept prefix, SKIP for the rest).
 */
function payload(
  m: Machine,
  w: Reader,
  pos: number,
  header: number,
  size: number,
  kind: 'str' | 'bytes',
): number {
  const at = w.base + pos;
  if (size < 0) {
    return fail(m, w, pos, 'pickle-invalid-length', 'A payload has an impossible length.');
  }
  const start = pos + header;
  const wanted = Math.min(size, kind === 'bytes' && m.seekable ? KEEP_SEEKABLE_BYTES : KEEP);
  // Reading a short tail through is cheaper than a seek per payload.
  const needed = size <= READ_THROUGH ? size : wanted;
  if (w.end - start < needed) {
    if (w.eof) {
      return fail(
        m,
        w,
        pos,
        'pickle-truncated',
        'The pickle ends inside a string or bytes payload.',
      );
    }
    w.pos = pos;
    m.need = header + needed;
    m.status = NEED;
    return STOPPED;
  }
  const raw = keep(m, w.buf.subarray(start, start + wanted), wanted);
  const encoding = kind === 'str' ? 'utf-8' : 'latin1';
  if (!m.push({ kind, raw, size, offset: w.base + start, encoding }, at)) {
    m.status = FAIL;
    return STOPPED;
  }
  if (start + size <= w.end) return start + size;
  m.skipTarget = w.base + start + size;
  m.status = SKIP;
  return STOPPED;
}

/** A LONG1/LONG4 value: a JS number when it has at most 6 bytes. */
function long(buf: Uint8Array, start: number, n: number): number | typeof BIGINT {
  if (n === 0) return 0;
  if (n > 6) return BIGINT;
  let value = 0;
  for (let i = n - 1; i >= 0; i--) value = value * 256 + (buf[start + i] ?? 0);
  return (buf[start + n - 1] ?? 0) & 0x80 ? value - 2 ** (8 * n) : value;
}

/** Length-prefixed str/bytes opcodes: [length-field size, reader, kind]. */
const PAYLOADS = new Map<
  number,
  readonly [number, (buf: Uint8Array, at: number) => number, 'str' | 'bytes']
>([
  [op.SHORT_BINUNICODE, [1, (buf, at) => buf[at] ?? 0, 'str']],
  [op.SHORT_BINSTRING, [1, (buf, at) => buf[at] ?? 0, 'str']],
  [op.SHORT_BINBYTES, [1, (buf, at) => buf[at] ?? 0, 'bytes']],
  [op.BINUNICODE, [4, readUint32, 'str']],
  [op.BINSTRING, [4, readInt32, 'str']],
  [op.BINBYTES, [4, readUint32, 'bytes']],
  [op.BINUNICODE8, [8, readUint64, 'str']],
  [op.BINBYTES8, [8, readUint64, 'bytes']],
  [op.BYTEARRAY8, [8, readUint64, 'bytes']],
]);

/** Runs a sized opcode at `pos`; returns the next position or STOPPED. */
export function sizedOp(m: Machine, w: Reader, pos: number, code: number): number {
  const layout = PAYLOADS.get(code);
  if (layout) {
    const [size, read, kind] = layout;
    return payload(m, w, pos, 1 + size, read(w.buf, pos + 1), kind);
  }
  if (code === op.LONG1 || code === op.LONG4) return longOp(m, w, pos, code);
  return fixedOp(m, w, pos, code);
}

function longOp(m: Machine, w: Reader, pos: number, code: number): number {
  const buf = w.buf;
  const at = w.base + pos;
  const header = code === op.LONG1 ? 2 : 5;
  const n = code === op.LONG1 ? (buf[pos + 1] ?? 0) : readInt32(buf, pos + 1);
  if (n < 0) return fail(m, w, pos, 'pickle-invalid-length', 'LONG4 has a negative byte count.');
  if (n <= 6) {
    if (w.end - pos < header + n) return more(m, w, pos, header + n);
    m.push(long(buf, pos + header, n), at);
    return pos + header + n;
  }
  m.push(BIGINT, at);
  if (pos + header + n <= w.end) return pos + header + n;
  m.skipTarget = at + header + n;
  m.status = SKIP;
  return STOPPED;
}

/** Opcodes with a fixed-size argument. */
function fixedOp(m: Machine, w: Reader, pos: number, code: number): number {
  const buf = w.buf;
  const at = w.base + pos;
  const byte = buf[pos + 1] ?? 0;
  switch (code) {
    case op.BINGET:
    case op.LONG_BINGET:
      m.get(code === op.BINGET ? byte : readUint32(buf, pos + 1), at);
      break;
    case op.BINPUT:
    case op.LONG_BINPUT:
      m.put(code === op.BINPUT ? byte : readUint32(buf, pos + 1), at);
      break;
    case op.PROTO:
      if (byte > 5) {
        const message = `The pickle declares protocol ${byte}; CPython refuses it.`;
        m.problem('pickle-unsupported-protocol', message, at);
      }
      m.proto = byte;
      break;
    case op.EXT1:
    case op.EXT2:
    case op.EXT4: {
      const ext =
        code === op.EXT1
          ? byte
          : code === op.EXT2
            ? byte | ((buf[pos + 2] ?? 0) << 8)
            : readInt32(buf, pos + 1);
      m.push(extension(m, ext, at), at);
      break;
    }
    case op.BINFLOAT:
      m.push(FLOAT, at);
      break;
    // FRAME: frames are only prefetch hints to _pickle.c; opcodes are read linearly across them.
  }
  return pos + (op.NEED[code] ?? 1);
}

function more(m: Machine, w: Reader, pos: number, need: number): number {
  w.pos = pos;
  if (w.eof) return fail(m, w, pos, 'pickle-truncated', 'The pickle ends inside an integer.');
  m.need = need;
  m.status = NEED;
  return STOPPED;
}
