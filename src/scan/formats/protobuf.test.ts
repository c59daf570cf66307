import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferSource } from '../source.js';
import { Cursor } from './cursor.js';
import { ProtoError, ProtoLimit, ProtoReader, varint, type Field } from './protobuf.js';
import { encode, varint as writeVarint } from './proto-writer.js';

/** Every field the walker visits at the top level, as `number/wire`. */
async function topFields(bytes: Uint8Array): Promise<string[]> {
  const reader = new ProtoReader(new Cursor(new BufferSource(bytes)));
  const seen: string[] = [];
  await reader.message(bytes.length, (f: Field) => {
    seen.push(`${f.number}/${f.wire}`);
    return undefined;
  });
  return seen;
}

describe('ProtoReader', () => {
  it('decodes varints up to 10 bytes and refuses longer ones', () => {
    assert.deepEqual(varint(writeVarint(300), 0, 0), [300, 2]);
    assert.deepEqual(varint(writeVarint(2n ** 63n), 0, 0), [2 ** 63, 10]);
    assert.throws(() => varint(new Uint8Array(11).fill(0x80), 0, 0), ProtoError);
    assert.throws(() => varint(Uint8Array.from([0x80]), 0, 0), ProtoError);
  });

  it('skips fixed64, fixed32, groups and unvisited payloads', async () => {
    const group = [0xa3, 0x03, 0x08, 0x01, 0xa3, 0x03, 0xa4, 0x03, 0xa4, 0x03];
    const fixed = [0x99, 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 0x9d, 0x03, 1, 2, 3, 4];
    const bytes = Uint8Array.from([
      ...fixed,
      ...group,
      ...encode([
        [1, 7],
        [2, 'text'],
      ]),
    ]);
    assert.deepEqual(await topFields(bytes), ['51/1', '51/5', '1/0', '2/2']);
  });

  it('rejects field number 0, wire types 6 and 7, stray and mismatched end-groups', async () => {
    for (const bytes of [[0x00, 0x01], [0x0e], [0x0f], [0x0c], [0x0b, 0x14], [0x0b]]) {
      await assert.rejects(topFields(Uint8Array.from(bytes)), ProtoError, JSON.stringify(bytes));
    }
  });

  it('walks a truncated message as far as it goes before reporting it', async () => {
    const bytes = encode([
      [1, 1],
      [2, 'a long string value'],
      [3, 3],
    ]);
    const seen: string[] = [];
    const reader = new ProtoReader(new Cursor(new BufferSource(bytes.subarray(0, 10))));
    await assert.rejects(
      reader.message(10, (f) => {
        seen.push(`${f.number}:${f.length}`);
        return undefined;
      }),
      (error: unknown) => error instanceof ProtoError && error.offset === 2,
    );
    assert.deepEqual(seen, ['1:0', '2:6']);
  });

  it('limits nesting depth', async () => {
    let message = encode([[1, 1]]);
    for (let i = 0; i < 120; i++) message = encode([[1, message]]);
    const reader = new ProtoReader(new Cursor(new BufferSource(message)));
    const visit = (f: Field): Promise<void> | undefined =>
      f.wire === 2 ? reader.nested(f, visit) : undefined;
    await assert.rejects(reader.message(message.length, visit), ProtoLimit);
  });
});
