/**
 * Pickle opcodes of protocols 0–5 (CPython `Lib/pickletools.py`, `Modules/_pickle.c`) and how
 * many bytes each needs before its handler can run.
 */

export const MARK = 0x28; // (
export const EMPTY_TUPLE = 0x29; // )
export const STOP = 0x2e; // .
export const POP = 0x30; // 0
export const POP_MARK = 0x31; // 1
export const DUP = 0x32; // 2
export const BINBYTES = 0x42; // B
export const SHORT_BINBYTES = 0x43; // C
export const FLOAT = 0x46; // F
export const BINFLOAT = 0x47; // G
export const INT = 0x49; // I
export const BININT = 0x4a; // J
export const BININT1 = 0x4b; // K
export const LONG = 0x4c; // L
export const BININT2 = 0x4d; // M
export const NONE = 0x4e; // N
export const PERSID = 0x50; // P
export const BINPERSID = 0x51; // Q
export const REDUCE = 0x52; // R
export const STRING = 0x53; // S
export const BINSTRING = 0x54; // T
export const SHORT_BINSTRING = 0x55; // U
export const UNICODE = 0x56; // V
export const BINUNICODE = 0x58; // X
export const EMPTY_LIST = 0x5d; // ]
export const APPEND = 0x61; // a
export const BUILD = 0x62; // b
export const GLOBAL = 0x63; // c
export const DICT = 0x64; // d
export const APPENDS = 0x65; // e
export const GET = 0x67; // g
export const BINGET = 0x68; // h
export const INST = 0x69; // i
export const LONG_BINGET = 0x6a; // j
export const LIST = 0x6c; // l
export const OBJ = 0x6f; // o
export const PUT = 0x70; // p
export const BINPUT = 0x71; // q
export const LONG_BINPUT = 0x72; // r
export const SETITEM = 0x73; // s
export const TUPLE = 0x74; // t
export const SETITEMS = 0x75; // u
export const EMPTY_DICT = 0x7d; // }
export const PROTO = 0x80;
export const NEWOBJ = 0x81;
export const EXT1 = 0x82;
export const EXT2 = 0x83;
export const EXT4 = 0x84;
export const TUPLE1 = 0x85;
export const TUPLE2 = 0x86;
export const TUPLE3 = 0x87;
export const NEWTRUE = 0x88;
export const NEWFALSE = 0x89;
export const LONG1 = 0x8a;
export const LONG4 = 0x8b;
export const SHORT_BINUNICODE = 0x8c;
export const BINUNICODE8 = 0x8d;
export const BINBYTES8 = 0x8e;
export const EMPTY_SET = 0x8f;
export const ADDITEMS = 0x90;
export const FROZENSET = 0x91;
export const NEWOBJ_EX = 0x92;
export const STACK_GLOBAL = 0x93;
export const MEMOIZE = 0x94;
export const FRAME = 0x95;
export const BYTEARRAY8 = 0x96;
export const NEXT_BUFFER = 0x97;
export const READONLY_BUFFER = 0x98;

/** Opcodes whose argument is one or two newline-terminated lines. */
const LINE_OPS = [FLOAT, INT, LONG, PERSID, STRING, UNICODE, GLOBAL, GET, INST, PUT];
const LINE_SET = new Set(LINE_OPS);

/** True for opcodes whose argument is newline-terminated text. */
export function isLineOp(code: number): boolean {
  return LINE_SET.has(code);
}

/** Opcodes with no argument. */
const BARE_OPS = [
  MARK,
  EMPTY_TUPLE,
  STOP,
  POP,
  POP_MARK,
  DUP,
  NONE,
  BINPERSID,
  REDUCE,
  EMPTY_LIST,
  APPEND,
  BUILD,
  DICT,
  APPENDS,
  LIST,
  OBJ,
  SETITEM,
  TUPLE,
  SETITEMS,
  EMPTY_DICT,
  NEWOBJ,
  TUPLE1,
  TUPLE2,
  TUPLE3,
  NEWTRUE,
  NEWFALSE,
  EMPTY_SET,
  ADDITEMS,
  FROZENSET,
  NEWOBJ_EX,
  STACK_GLOBAL,
  MEMOIZE,
  NEXT_BUFFER,
  READONLY_BUFFER,
];

/** Fixed argument sizes; for length-prefixed payloads, the size of the length field. */
const SIZED_OPS: readonly (readonly [number, number])[] = [
  [BINFLOAT, 8],
  [BININT, 4],
  [BININT1, 1],
  [BININT2, 2],
  [BINGET, 1],
  [LONG_BINGET, 4],
  [BINPUT, 1],
  [LONG_BINPUT, 4],
  [PROTO, 1],
  [EXT1, 1],
  [EXT2, 2],
  [EXT4, 4],
  [FRAME, 8],
  [LONG1, 1],
  [LONG4, 4],
  [BINBYTES, 4],
  [SHORT_BINBYTES, 1],
  [BINSTRING, 4],
  [SHORT_BINSTRING, 1],
  [BINUNICODE, 4],
  [SHORT_BINUNICODE, 1],
  [BINUNICODE8, 8],
  [BINBYTES8, 8],
  [BYTEARRAY8, 8],
];

/**
 * Bytes an opcode needs in the window before its handler runs: 1 + fixed argument size (or
 * length field), 2 for line opcodes (the opcode and at least the newline), 0 for bytes that
 * are not opcodes.
 */
export const NEED = new Uint8Array(256);
for (const op of BARE_OPS) NEED[op] = 1;
for (const op of LINE_OPS) NEED[op] = 2;
for (const [op, size] of SIZED_OPS) NEED[op] = 1 + size;

/** True when `byte` is an opcode of some protocol. */
export function isOpcode(byte: number): boolean {
  return NEED[byte] !== 0;
}

/** A printable name for problem messages. */
export function opName(byte: number): string {
  const ch = byte >= 0x21 && byte < 0x7f ? ` '${String.fromCharCode(byte)}'` : '';
  return `0x${byte.toString(16).padStart(2, '0')}${ch}`;
}
