/**
 * A tiny protobuf encoder for this folder's tests: ONNX and TensorFlow messages are written as
 * nested `[field, value]` lists, so test models are bytes built in the test, not fixtures.
 */

/** A varint (number or bigint), bytes or text (length-delimited), or a nested message. */
export type ProtoValue = number | bigint | string | Uint8Array | ProtoMessage;
/** A message: fields in the order they are written. */
export type ProtoMessage = readonly (readonly [number, ProtoValue])[];

/** Encodes a message. */
export function encode(message: ProtoMessage): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [field, value] of message) {
    if (typeof value === 'number' || typeof value === 'bigint') {
      parts.push(varint(field * 8), varint(value));
    } else {
      const payload =
        typeof value === 'string'
          ? new TextEncoder().encode(value)
          : value instanceof Uint8Array
            ? value
            : encode(value);
      parts.push(varint(field * 8 + 2), varint(payload.length), payload);
    }
  }
  return Buffer.concat(parts);
}

/** The varint encoding of a non-negative integer. */
export function varint(value: number | bigint): Uint8Array {
  let rest = BigInt(value);
  const bytes: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return Uint8Array.from(bytes);
}
