/**
 * Protobuf has no magic number, so ONNX and TensorFlow files are recognised by name (`.onnx`,
 * `.pb`) and confirmed by structure: the first fields must be ones the format defines, with
 * the right wire types and lengths that fit the file. Text and random bytes fail that test.
 */
import type { ByteSource } from '../source.js';
import { LEN, VARINT, varint } from './protobuf.js';

const PREFIX = 4096;
const FIELDS_CHECKED = 16;

interface Schema {
  /** Top-level field numbers and their wire types. */
  readonly fields: ReadonlyMap<number, number>;
  /** For some length-delimited fields, the first bytes their payload may start with. */
  readonly starts?: ReadonlyMap<number, readonly number[]>;
}

const MODEL_PROTO: Schema = {
  fields: fields({ 1: VARINT, 5: VARINT }, [2, 3, 4, 6, 7, 8, 14, 20, 25, 26]),
};
// A MetaGraphDef starts with one of its fields 1–7; a NodeDef with its name, which tells a
// GraphDef from other TensorFlow files such as keras_metadata.pb.
const SAVED_MODEL: Schema = {
  fields: fields({ 1: VARINT }, [2]),
  starts: new Map([[2, [0x0a, 0x12, 0x1a, 0x22, 0x2a, 0x32, 0x3a]]]),
};
const GRAPH_DEF: Schema = {
  fields: fields({ 3: VARINT }, [1, 2, 4, 5]),
  starts: new Map([[1, [0x0a]]]),
};

function fields(varints: Record<number, number>, lengthDelimited: number[]): Map<number, number> {
  const map = new Map(Object.entries(varints).map(([n, w]) => [Number(n), w]));
  for (const n of lengthDelimited) map.set(n, LEN);
  return map;
}

/** `onnx` or `savedmodel` when the name and the first fields agree, else undefined. */
export async function sniffProtobuf(
  source: ByteSource,
  name: string,
): Promise<'onnx' | 'savedmodel' | undefined> {
  const base = (name.split(/[\\/]/).at(-1) ?? name).toLowerCase();
  const kind = base.endsWith('.onnx') ? 'onnx' : base.endsWith('.pb') ? 'savedmodel' : undefined;
  if (kind === undefined || source.size === 0) return undefined;
  const head = await source.read(0, Math.min(PREFIX, source.size));
  const schemas = kind === 'onnx' ? [MODEL_PROTO] : [SAVED_MODEL, GRAPH_DEF];
  return schemas.some((schema) => plausible(head, source.size, schema)) ? kind : undefined;
}

function plausible(head: Uint8Array, size: number, schema: Schema): boolean {
  let at = 0;
  for (let count = 0; count < FIELDS_CHECKED && at < head.length; count++) {
    try {
      const [tag, tagLength] = varint(head, at, at);
      const number = Math.floor(tag / 8);
      const wire = schema.fields.get(number);
      if (wire === undefined || wire !== tag % 8) return false;
      const [value, valueLength] = varint(head, at + tagLength, at);
      const payload = at + tagLength + valueLength;
      const first = head[payload];
      const starts = schema.starts?.get(number);
      if (starts !== undefined && value > 0 && first !== undefined && !starts.includes(first)) {
        return false;
      }
      at = payload + (wire === LEN ? value : 0);
      if (at > size) return false;
    } catch {
      // The prefix ends inside a field: what was read so far decides.
      return count > 0;
    }
  }
  return true;
}
