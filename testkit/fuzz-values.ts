// Odd values for the mutation fuzzer (scripts/fuzz.ts): boundary numbers, values to plant in a
// parsed tree, and a decoder that turns bytes into JSON-ish values. Everything is a pure
// function of its random source or input bytes, so a run can be replayed exactly.
import type { Rng } from './fuzz-rng.js';

/** Numbers at the edges of integer and float ranges, as text. */
export const BOUNDARY_NUMBERS: readonly string[] = (
  '0 -0 -1 1 127 128 255 256 65535 65536 2147483647 2147483648 -2147483649 4294967295 ' +
  '4294967296 9007199254740991 9007199254740993 18446744073709551616 -9223372036854775808 ' +
  '1e308 1e309 -1e309 5e-324 1e-400 0.1 1.5 1e21 00 0x10 NaN Infinity'
).split(' ');

const WEIRD_NUMBERS = (
  'NaN Infinity -Infinity -0 5e-324 1.7976931348623157e308 1e21 1e-7 9007199254740994 ' +
  '0.30000000000000004 123456789012345680000 -1e-300 4.35 1e100'
)
  .split(' ')
  .map(Number);
const KEYS = (
  '|a|b|B|\u00e9|\uffff|\u{10000}|\u{1F600}|__proto__|constructor|toJSON|1|10|2|' +
  '\u0000|\n|\ud800|\udc00a'
).split('|');
const MAX_NODES = 2000;

/** Sets an own enumerable property, so even a "__proto__" key stays an ordinary property. */
export function put(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** A value to plant in a parsed tree: boundary numbers, long or odd strings, deep nesting. */
export function weirdValue(rng: Rng): unknown {
  switch (rng.int(8)) {
    case 0:
      return rng.pick([null, true, false, '', [], {}]);
    case 1:
      return Number(rng.pick(BOUNDARY_NUMBERS));
    case 2:
      return rng.pick(BOUNDARY_NUMBERS);
    case 3:
      return 'x'.repeat(rng.int(70000));
    case 4:
      return nest(1 + rng.int(300));
    case 5:
      return `sha256:${rng.bytes(32).toString('hex')}`;
    case 6:
      return rng.bytes(1 + rng.int(64)).toString('base64');
    default:
      return String.fromCharCode(...Array.from({ length: 1 + rng.int(8) }, () => rng.int(0x10000)));
  }
}

function nest(depth: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** Reads bytes in order; past the end it yields zeros, so every input decodes to something. */
class ByteReader {
  readonly #bytes: Buffer;
  #offset = 0;
  nodes = 0;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  byte(): number {
    return this.#bytes[this.#offset++] ?? 0;
  }

  get done(): boolean {
    return this.#offset >= this.#bytes.length;
  }
}

/**
 * Decodes bytes into a JSON-ish value for canonicalization: JSON values plus weird numbers,
 * lone surrogates, exotic objects, cycles, shared references and deep nesting. The first byte
 * may also choose a `maxDepth` option.
 */
export function jsonishFromBytes(bytes: Buffer): { value: unknown; maxDepth?: number } {
  const reader = new ByteReader(bytes);
  const first = reader.byte();
  const value = decodeValue(reader, 0);
  return first < 32 ? { value, maxDepth: first * 8 } : { value };
}

function decodeValue(reader: ByteReader, depth: number): unknown {
  reader.nodes++;
  const scalarOnly = reader.done || reader.nodes > MAX_NODES || depth > 12;
  const kind = reader.byte() % (scalarOnly ? 8 : 16);
  return kind < 8 ? decodeScalar(reader, kind) : decodeCompound(reader, kind, depth);
}

// Kinds 0 to 7: values without children.
function decodeScalar(reader: ByteReader, kind: number): unknown {
  switch (kind) {
    case 0:
      return null;
    case 1:
      return reader.byte() % 2 === 0;
    case 2:
      return reader.byte() - 128;
    case 3:
      return WEIRD_NUMBERS[reader.byte() % WEIRD_NUMBERS.length];
    case 4:
      return Buffer.from(Array.from({ length: 8 }, () => reader.byte())).readDoubleLE(0);
    case 5:
      return decodeString(reader);
    case 6:
      return KEYS[reader.byte() % KEYS.length];
    default:
      return exotic(reader.byte());
  }
}

// Kinds 8 to 15: arrays, objects, nesting, cycles and shared references.
function decodeCompound(reader: ByteReader, kind: number, depth: number): unknown {
  switch (kind) {
    case 8:
    case 9:
      return Array.from({ length: reader.byte() % 8 }, () => decodeValue(reader, depth + 1));
    case 10:
    case 11:
      return decodeObject(reader, depth, {});
    case 12:
      return nest(reader.byte() * 4);
    case 13:
      return cycle(reader.byte());
    case 14: {
      const shared = decodeValue(reader, depth + 1);
      return [shared, { shared }];
    }
    default:
      return decodeObject(reader, depth, Object.create(null) as Record<string, unknown>);
  }
}

function decodeString(reader: ByteReader): string {
  const units = Array.from({ length: reader.byte() % 16 }, () => {
    const high = reader.byte();
    const low = reader.byte();
    return high < 8 ? low : (high << 8) | low;
  });
  return String.fromCharCode(...units);
}

function decodeObject(
  reader: ByteReader,
  depth: number,
  target: Record<string, unknown>,
): Record<string, unknown> {
  for (let n = reader.byte() % 8; n > 0; n--) {
    const key = reader.byte() % 2 === 0 ? KEYS[reader.byte() % KEYS.length] : decodeString(reader);
    put(target, key ?? '', decodeValue(reader, depth + 1));
  }
  return target;
}

function exotic(choice: number): unknown {
  const makers: (() => unknown)[] = [
    () => undefined,
    () => () => 0,
    () => Symbol('s'),
    () => 10n,
    () => new Date(0),
    () => new Map([[1, 2]]),
    () => new Uint8Array(2),
    () =>
      new (class Point {
        readonly x = 1;
      })(),
    () => new String('s'),
    () => [1, , 2], // eslint-disable-line no-sparse-arrays
    () => ({ [Symbol('k')]: 1 }),
    () => Object.create({ inherited: 1 }) as unknown,
    () => ({ a: undefined }),
  ];
  return (makers[choice % makers.length] ?? makers[0])?.();
}

function cycle(choice: number): unknown {
  const loop: Record<string, unknown> = { a: 1 };
  if (choice % 2 === 0) loop.self = loop;
  else loop.list = [0, { back: loop }];
  return choice % 3 === 0 ? [loop] : loop;
}
