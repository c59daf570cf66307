// Mutators for the mutation fuzzer (scripts/fuzz.ts): byte-level edits, text edits, edits of a
// parsed tree and of the DER inside PEM. Each is a pure function of its input and random
// source, so a run can be replayed exactly.
import type { Rng } from './fuzz-rng.js';
import { BOUNDARY_NUMBERS, put, weirdValue } from './fuzz-values.js';

/** Turns one input into a mutated copy; `corpus` holds other inputs to splice with. */
export type Mutator = (input: Buffer, rng: Rng, corpus: readonly Buffer[]) => Buffer;

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x22, 0x5c, 0x7b, 0x5b, 0x3a, 0x2c, 0x0a];
const BINARY_BOUNDARIES = [0, 1, 15, 16, 17, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff];

function at(input: Buffer, offset: number, remove: number, insert: Buffer): Buffer {
  return Buffer.concat([input.subarray(0, offset), insert, input.subarray(offset + remove)]);
}

const flipBits: Mutator = (input, rng) => {
  if (input.length === 0) return input;
  const out = Buffer.from(input);
  for (let n = 1 + rng.int(8); n > 0; n--) {
    const i = rng.int(out.length);
    out[i] = (out[i] ?? 0) ^ (1 << rng.int(8));
  }
  return out;
};

const setByte: Mutator = (input, rng) =>
  input.length === 0
    ? Buffer.from([rng.pick(INTERESTING_BYTES)])
    : at(input, rng.int(input.length), 1, Buffer.from([rng.pick(INTERESTING_BYTES)]));

const insertBytes: Mutator = (input, rng) =>
  at(input, rng.int(input.length + 1), 0, rng.bytes(1 + rng.int(16)));

const deleteRange: Mutator = (input, rng) =>
  at(input, rng.int(input.length), 1 + rng.int(Math.min(64, input.length + 1)), Buffer.alloc(0));

const truncate: Mutator = (input, rng) => input.subarray(0, rng.int(input.length));

const duplicateChunk: Mutator = (input, rng) => {
  const start = rng.int(input.length);
  const chunk = input.subarray(start, start + 1 + rng.int(256));
  return at(input, rng.int(input.length + 1), 0, Buffer.from(chunk));
};

const splice: Mutator = (input, rng, corpus) => {
  const other = corpus.length === 0 ? input : rng.pick(corpus);
  return Buffer.concat([
    input.subarray(0, rng.int(input.length + 1)),
    other.subarray(rng.int(other.length + 1)),
  ]);
};

const boundaryText: Mutator = (input, rng) => {
  const text = Buffer.from(rng.pick(BOUNDARY_NUMBERS), 'latin1');
  const digits = [...input.toString('latin1').matchAll(/-?\d+(\.\d+)?([eE][-+]?\d+)?/g)];
  const hit = digits.length === 0 ? undefined : rng.pick(digits);
  if (hit?.index === undefined) return at(input, rng.int(input.length + 1), 0, text);
  return at(input, hit.index, hit[0].length, text);
};

const boundaryBinary: Mutator = (input, rng) => {
  const width = rng.pick([1, 2, 4]);
  if (input.length < width) return input;
  const out = Buffer.from(input);
  const value = rng.pick(BINARY_BOUNDARIES) % 2 ** (8 * width);
  const offset = rng.int(out.length - width + 1);
  if (rng.chance(0.5)) out.writeUIntBE(value, offset, width);
  else out.writeUIntLE(value, offset, width);
  return out;
};

const longString: Mutator = (input, rng) => {
  const unit = rng.pick(['A', '\u00e9', '\u{1F600}', '\\u0000', '\\ud800', ' ', '0', '/']);
  return at(input, rng.int(input.length + 1), 0, Buffer.from(unit.repeat(1 + rng.int(65536))));
};

const deepNesting: Mutator = (input, rng) => {
  const depth = 1 + rng.int(rng.chance(0.5) ? 200 : 20000);
  const [open, close] = rng.pick<[string, string]>([
    ['[', ']'],
    ['{"a":', '}'],
    ['- ', ''],
    ['{a: ', '}'],
  ]);
  const balanced = rng.chance(0.8) ? close.repeat(depth) : '';
  return at(input, rng.int(input.length + 1), 0, Buffer.from(open.repeat(depth) + '1' + balanced));
};

/** Byte-level mutators for any input. */
export const BYTE_MUTATORS: readonly Mutator[] = [
  flipBits,
  setByte,
  insertBytes,
  deleteRange,
  truncate,
  duplicateChunk,
  splice,
  boundaryBinary,
];

/** Mutators for text formats: bytes, plus boundary numbers, long strings and deep nesting. */
export const TEXT_MUTATORS: readonly Mutator[] = [
  ...BYTE_MUTATORS,
  boundaryText,
  boundaryText,
  longString,
  deepNesting,
];

/** Parses and prints one text format (JSON, YAML) for structure-aware mutation. */
export interface Codec {
  parse(text: string): unknown;
  stringify(value: unknown): string;
}

type Node = { parent: Record<string, unknown> | unknown[]; key: string | number } | null;

/** A mutator that parses its input with `codec`, changes one node and prints it again. */
export function treeMutator(codec: Codec): Mutator {
  return (input, rng) => {
    let root: unknown;
    try {
      root = codec.parse(input.toString('utf8'));
    } catch {
      return rng.pick(TEXT_MUTATORS)(input, rng, []);
    }
    const holder: unknown[] = [root];
    const nodes = collectNodes(holder, 4096);
    const node = rng.pick(nodes);
    if (node === null) return input;
    const current = (node.parent as Record<string | number, unknown>)[node.key];
    editNode(node, current, rng);
    try {
      return Buffer.from(codec.stringify(holder[0]));
    } catch {
      return input;
    }
  };
}

function collectNodes(holder: unknown[], limit: number): Node[] {
  const nodes: Node[] = [null];
  const stack: Node[] = [{ parent: holder, key: 0 }];
  while (stack.length > 0 && nodes.length < limit) {
    const node = stack.pop() as NonNullable<Node>;
    nodes.push(node);
    const value = (node.parent as Record<string | number, unknown>)[node.key];
    if (Array.isArray(value)) value.forEach((_, key) => stack.push({ parent: value, key }));
    else if (isRecord(value))
      Object.keys(value).forEach((key) => stack.push({ parent: value, key }));
  }
  return nodes;
}

function editNode(node: NonNullable<Node>, current: unknown, rng: Rng): void {
  if (typeof current === 'string' && rng.chance(0.7)) {
    put(node.parent, node.key, mutateString(current, rng));
  } else if (Array.isArray(current) && current.length > 0 && rng.chance(0.5)) {
    const index = rng.int(current.length);
    if (rng.chance(0.5)) current.splice(index, 1);
    else current.splice(index, 0, current[index]);
  } else if (isRecord(current) && rng.chance(0.5)) {
    const keys = Object.keys(current);
    if (keys.length > 0 && rng.chance(0.5)) Reflect.deleteProperty(current, rng.pick(keys));
    else put(current, rng.pick(['extra', '__proto__', '', 'sha256', 'keyid']), weirdValue(rng));
  } else {
    put(node.parent, node.key, weirdValue(rng));
  }
}

// Base64 text is mutated underneath its encoding, so the result still decodes and reaches the
// parser behind the base64 check (payloads, signatures, keys).
function mutateString(text: string, rng: Rng): string {
  const bytes = Buffer.from(text, 'base64');
  if (text.length >= 4 && bytes.toString('base64') === text) {
    const mutated = rng.pick(BYTE_MUTATORS)(bytes, rng, []);
    return mutated.toString(rng.chance(0.8) ? 'base64' : 'base64url');
  }
  return rng.pick(TEXT_MUTATORS)(Buffer.from(text), rng, []).toString('utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A mutator for PEM text: mutates the DER bytes inside the block and re-encodes them. */
export const pemMutator: Mutator = (input, rng) => {
  const text = input.toString('latin1');
  const block = /(-----BEGIN [A-Z0-9 ]+-----\r?\n)([A-Za-z0-9+/=\r\n]+?)(\r?\n-----END)/.exec(text);
  if (block?.index === undefined) return rng.pick(TEXT_MUTATORS)(input, rng, []);
  const [whole, begin = '', body = '', end = ''] = block;
  const der = rng.pick(BYTE_MUTATORS)(Buffer.from(body, 'base64'), rng, []);
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  const pem = `${begin}${lines.join('\n')}${end}`;
  return Buffer.from(
    text.slice(0, block.index) + pem + text.slice(block.index + whole.length),
    'latin1',
  );
};

/** Applies 1 to 4 random mutators to a random corpus entry, keeping at most `maxBytes`. */
export function mutate(
  corpus: readonly Buffer[],
  mutators: readonly Mutator[],
  rng: Rng,
  maxBytes: number,
): Buffer {
  let input = rng.pick(corpus);
  for (let n = 1 + rng.int(4); n > 0; n--) {
    input = rng.pick(mutators)(input, rng, corpus);
    if (input.length > maxBytes) input = input.subarray(0, maxBytes);
  }
  return input;
}
