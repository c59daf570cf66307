import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { isRampartError } from '../errors.js';
import { decryptBytes, encryptBytes } from './bytes.js';
import { HEADER_SIZE, TAG_SIZE } from './format.js';
import { generateKek } from './kek.js';
import { Keyring } from './keyring.js';
import { decryptStream, encryptStream } from './streams.js';

const CHUNK = 32;

/** Deterministic pseudo-random bytes (SHA-256 in counter mode over a seed). */
function bytesOf(length: number, seed = 'plaintext'): Buffer {
  const out = Buffer.alloc(length);
  for (let block = 0; block * 32 < length; block += 1) {
    createHash('sha256')
      .update(`${seed}/${block}`)
      .digest()
      .copy(out, block * 32);
  }
  return out;
}

/** Feeds `input` to `transform` in pieces of `pieceSize` bytes and collects the output. */
async function through(transform: Transform, input: Buffer, pieceSize: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let at = 0; at < input.length; at += pieceSize) {
    pieces.push(input.subarray(at, at + pieceSize));
  }
  const out: Buffer[] = [];
  await pipeline(Readable.from(pieces), transform, async (source: AsyncIterable<Buffer>) => {
    for await (const piece of source) out.push(piece);
  });
  return Buffer.concat(out);
}

const SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 5 * CHUNK + 7];

describe('envelope encryption round trip', () => {
  const kek = generateKek();

  it('round-trips in memory at sizes 0, 1, chunk-1, chunk, chunk+1 and several chunks', () => {
    for (const size of SIZES) {
      const plaintext = bytesOf(size);
      const ciphertext = encryptBytes(kek, plaintext, { chunkSize: CHUNK });
      const chunks = Math.max(1, Math.ceil(size / CHUNK));
      assert.equal(ciphertext.length, HEADER_SIZE + size + chunks * TAG_SIZE, `size ${size}`);
      assert.deepEqual(decryptBytes(kek, ciphertext), plaintext, `size ${size}`);
    }
  });

  it('round-trips through streams whatever the input piece size', async () => {
    for (const size of SIZES) {
      const plaintext = bytesOf(size);
      for (const pieceSize of [1, 7, CHUNK, 1000]) {
        const ciphertext = await through(
          encryptStream(kek, { chunkSize: CHUNK }),
          plaintext,
          pieceSize,
        );
        assert.deepEqual(decryptBytes(kek, ciphertext), plaintext);
        assert.deepEqual(await through(decryptStream(kek), ciphertext, pieceSize), plaintext);
      }
    }
  });

  it('uses 64 KiB chunks by default', () => {
    const ciphertext = encryptBytes(kek, bytesOf(64 * 1024 + 1));
    assert.equal(ciphertext.readUInt32BE(13), 64 * 1024);
    assert.equal(ciphertext.length, HEADER_SIZE + 64 * 1024 + 1 + 2 * TAG_SIZE);
  });

  it('gives different ciphertexts for the same plaintext and key', () => {
    const plaintext = bytesOf(100);
    assert.notDeepEqual(encryptBytes(kek, plaintext), encryptBytes(kek, plaintext));
  });

  it('decrypts with the context given at encryption, including the empty context', () => {
    const plaintext = bytesOf(70);
    const context = 'blob|sha256:' + 'ab'.repeat(32);
    assert.deepEqual(
      decryptBytes(kek, encryptBytes(kek, plaintext, { context }), { context }),
      plaintext,
    );
    const none = encryptBytes(kek, plaintext);
    assert.deepEqual(decryptBytes(kek, none, { context: '' }), plaintext);
  });

  it('encrypts under the primary key and decrypts with any key of the keyring (rotation)', () => {
    const [older, newer] = [generateKek(), generateKek()];
    const plaintext = bytesOf(50);
    const before = encryptBytes(new Keyring(older), plaintext);
    const rotated = new Keyring(newer, [older]);
    const after = encryptBytes(rotated, plaintext);
    assert.equal(after.subarray(5, 13).toString('hex'), newer.id);
    assert.deepEqual(decryptBytes(rotated, before), plaintext);
    assert.deepEqual(decryptBytes(rotated, after), plaintext);
    assert.throws(
      () => decryptBytes(older, after),
      (e) => isRampartError(e, 'RAMPART_DECRYPT_FAILED'),
    );
  });

  it('lists keyring ids primary first, without duplicates, and finds keys by id', () => {
    const [a, b] = [generateKek(), generateKek()];
    const ring = new Keyring(a, [b, a, b]);
    assert.deepEqual(ring.ids, [a.id, b.id]);
    assert.equal(ring.find(b.id), b);
    assert.equal(ring.find('0000000000000000'), undefined);
    assert.deepEqual(JSON.parse(JSON.stringify(ring)), { primary: a.id, ids: [a.id, b.id] });
  });

  it('refuses a chunk size out of range before producing any output', () => {
    const tooSmall = (e: unknown): boolean => isRampartError(e, 'RAMPART_LIMIT_EXCEEDED');
    assert.throws(() => encryptStream(kek, { chunkSize: 8 }), tooSmall);
    assert.throws(() => encryptBytes(kek, bytesOf(1), { chunkSize: 2 ** 30 }), tooSmall);
  });
});
