/**
 * Protocol-0 opcodes whose arguments are newline-terminated text: INT, LONG, FLOAT, STRING,
 * UNICODE, PERSID, GET, PUT, and the two-line GLOBAL and INST.
 */
import { invoke, resolveGlobal } from './calls.js';
import type { Machine } from './machine.js';
import * as op from './opcodes.js';
import { keep } from './ops-sized.js';
import type { Reader } from './reader.js';
import { FAIL, NEED, SKIP_LINE, STOPPED } from './status.js';
import {
  decodeQuoted,
  decodeRawUnicodeEscape,
  isFloat0,
  latin1Text,
  parseInt0,
  utf8Text,
} from './text.js';
import { BIGINT, FALSE, FLOAT, TRUE, UNKNOWN, container, type Text, type Value } from './values.js';

/** Longest text argument read whole; longer STRING/UNICODE lines keep a prefix. */
const MAX_LINE = 64 * 1024;
const LINE_PREFIX = 4096;
const encoder = new TextEncoder();

function newline(buf: Uint8Array, from: number, end: number): number {
  const at = buf.indexOf(0x0a, from);
  return at >= 0 && at < end ? at : -1;
}

/** A `str` value from decoded text. */
function str(m: Machine, text: string, cut = false): Text {
  const bytes = encoder.encode(text);
  const raw = keep(m, bytes, bytes.length);
  return {
    kind: 'str',
    raw,
    size: cut ? bytes.length + 1 : bytes.length,
    offset: -1,
    encoding: 'utf-8',
    ...(raw.length === bytes.length ? { decoded: text } : {}),
  };
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function invalid(m: Machine, what: string, at: number): Value {
  m.problem('pickle-invalid-text', `A protocol-0 ${what} argument is malformed.`, at);
  return UNKNOWN;
}

/** Runs a line opcode at `pos`; returns the next position or STOPPED. */
export function lineOp(m: Machine, w: Reader, pos: number, code: number): number {
  const first = newline(w.buf, pos + 1, w.end);
  if (first < 0) return missingNewline(m, w, pos, code, true);
  if (code === op.GLOBAL || code === op.INST) return globalLines(m, w, pos, code, first);
  const at = w.base + pos;
  const line = w.buf.subarray(pos + 1, first);
  if (code === op.GET || code === op.PUT) {
    const text = latin1Text(line, 0, line.length).trim();
    const index = /^[0-9]+$/.test(text) ? Number(text) : -1;
    if (index < 0) m.push(invalid(m, 'memo index', at), at);
    else if (code === op.GET) m.get(index, at);
    else m.put(index, at);
  } else m.push(lineValue(m, code, line, at), at);
  return first + 1;
}

/** GLOBAL and INST: `module\nname\n`, strict UTF-8 as in _pickle.c. */
function globalLines(m: Machine, w: Reader, pos: number, code: number, first: number): number {
  const buf = w.buf;
  const at = w.base + pos;
  const second = newline(buf, first + 1, w.end);
  if (second < 0) return missingNewline(m, w, pos, code, false);
  const module = utf8Text(buf, pos + 1, first);
  const name = utf8Text(buf, first + 1, second);
  const global =
    module === undefined || name === undefined
      ? invalid(m, 'GLOBAL/INST name', at)
      : resolveGlobal(m, module, name, at);
  if (code === op.GLOBAL) m.push(global, at);
  else m.push(invoke(m, global, container('tuple', m.popMark(at)), 'inst', at), at);
  return second + 1;
}

/** The value an INT, LONG, FLOAT, STRING, UNICODE or PERSID line pushes. */
function lineValue(m: Machine, code: number, line: Uint8Array, at: number): Value {
  const text = latin1Text(line, 0, line.length);
  switch (code) {
    case op.INT:
      return text === '00' ? FALSE : text === '01' ? TRUE : integer(m, text, at);
    case op.LONG:
      return integer(m, text.endsWith('L') ? text.slice(0, -1) : text, at);
    case op.FLOAT:
      return isFloat0(text) ? FLOAT : invalid(m, 'FLOAT', at);
    case op.STRING: {
      const bytes = decodeQuoted(line);
      return bytes ? latin1Str(m, bytes) : invalid(m, 'STRING', at);
    }
    case op.UNICODE:
      return str(m, decodeRawUnicodeEscape(line));
    default:
      // PERSID; _pickle.c: "persistent IDs in protocol 0 must be ASCII strings".
      return { kind: 'persid', pid: isAscii(text) ? str(m, text) : invalid(m, 'PERSID', at) };
  }
}

function integer(m: Machine, text: string, at: number): Value {
  const value = parseInt0(text);
  if (value === undefined) return invalid(m, 'INT/LONG', at);
  return value === 'big' ? BIGINT : value;
}

function latin1Str(m: Machine, bytes: Uint8Array): Text {
  return {
    kind: 'str',
    raw: keep(m, bytes, bytes.length),
    size: bytes.length,
    offset: -1,
    encoding: 'latin1',
  };
}

/** No newline in the window: wait for more bytes, skip an over-long text line, or give up. */
function missingNewline(
  m: Machine,
  w: Reader,
  pos: number,
  code: number,
  firstLine: boolean,
): number {
  w.pos = pos;
  const at = w.base + pos;
  if (w.eof) {
    m.problem('pickle-truncated', 'The pickle ends inside a protocol-0 text argument.', at, true);
    m.status = FAIL;
  } else if (w.end - pos < MAX_LINE) {
    m.need = w.end - pos + 1;
    m.status = NEED;
  } else if (firstLine && (code === op.STRING || code === op.UNICODE)) {
    m.pendingLine = { op: code, at, prefix: keep(m, w.buf.subarray(pos + 1), LINE_PREFIX) };
    m.status = SKIP_LINE;
  } else {
    m.problem(
      'pickle-line-too-long',
      `A protocol-0 argument is longer than ${MAX_LINE} bytes.`,
      at,
      true,
    );
    m.status = FAIL;
  }
  return STOPPED;
}

/** Pushes the value of an over-long STRING/UNICODE line once its tail has been skipped. */
export function finishLine(m: Machine): void {
  const pending = m.pendingLine;
  if (!pending) return;
  m.pendingLine = undefined;
  const text =
    pending.op === op.UNICODE
      ? decodeRawUnicodeEscape(pending.prefix)
      : new TextDecoder('latin1').decode(pending.prefix.subarray(1));
  m.push(str(m, text, true), pending.at);
}
