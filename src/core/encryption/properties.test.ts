import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isRampartError } from '../errors.js';
import { decryptBytes, encryptBytes } from './bytes.js';
import { MIN_CHUNK_SIZE } from './format.js';
import { generateKek } from './kek.js';
import { decryptStream, encryptStream } from './streams.js';

// A fixed seed keeps the suite deterministic; change it locally to explore further.
const RUNS = { seed: 20260425, numRuns: 150 };
const kek = generateKek();

const plaintexts = fc.uint8Array({ maxLength: 1500 });
const chunkSizes = fc.integer({ min: MIN_CHUNK_SIZE, max: 200 });
const contexts = fc.option(fc.string({ maxLength: 40 }), { nil: undefined });

/** An encrypted object with what was encrypted, for the tampering properties. */
const encrypted = fc
  .record({ plaintext: plaintexts, chunkSize: chunkSizes })
  .map(({ plaintext, chunkSize }) => encryptBytes(kek, plaintext, { chunkSize, context: 'p' }));

function rejected(error: unknown): boolean {
  return (
    isRampartError(error, 'RAMPART_DECRYPT_FAILED') ||
    isRampartError(error, 'RAMPART_CIPHERTEXT_MALFORMED')
  );
}

async function collect(source: AsyncIterable<unknown>, out: Buffer[]): Promise<void> {
  for await (const piece of source) out.push(piece as Buffer);
}

describe('envelope encryption properties', () => {
  it('round-trips any plaintext with any chunk size and context', () => {
    fc.assert(
      fc.property(plaintexts, chunkSizes, contexts, (plaintext, chunkSize, context) => {
        const options = context === undefined ? {} : { context };
        const ciphertext = encryptBytes(kek, plaintext, { ...options, chunkSize });
        assert.deepEqual(decryptBytes(kek, ciphertext, options), Buffer.from(plaintext));
      }),
      RUNS,
    );
  });

  it('round-trips through streams fed in pieces of any size', async () => {
    await fc.assert(
      fc.asyncProperty(
        plaintexts,
        chunkSizes,
        fc.integer({ min: 1, max: 300 }),
        async (plaintext, chunkSize, pieceSize) => {
          const input = Buffer.from(plaintext);
          const pieces = Array.from({ length: Math.ceil(input.length / pieceSize) }, (_, i) =>
            input.subarray(i * pieceSize, (i + 1) * pieceSize),
          );
          const out: Buffer[] = [];
          await pipeline(
            Readable.from(pieces),
            encryptStream(kek, { chunkSize }),
            decryptStream(kek),
            (source: AsyncIterable<unknown>) => collect(source, out),
          );
          assert.deepEqual(Buffer.concat(out), input);
        },
      ),
      { ...RUNS, numRuns: 60 },
    );
  });

  it('fails whenever any single byte of the ciphertext is changed', () => {
    fc.assert(
      fc.property(encrypted, fc.nat(), fc.integer({ min: 1, max: 255 }), (ciphertext, at, mask) => {
        const copy = Buffer.from(ciphertext);
        const offset = at % copy.length;
        copy[offset] = copy[offset]! ^ mask;
        assert.throws(() => decryptBytes(kek, copy, { context: 'p' }), rejected);
      }),
      RUNS,
    );
  });

  it('fails whenever the ciphertext is truncated at any position', () => {
    fc.assert(
      fc.property(encrypted, fc.nat(), (ciphertext, at) => {
        const cut = ciphertext.subarray(0, at % ciphertext.length);
        assert.throws(() => decryptBytes(kek, cut, { context: 'p' }), rejected);
      }),
      RUNS,
    );
  });

  it('fails whenever bytes are appended to the ciphertext', () => {
    fc.assert(
      fc.property(
        encrypted,
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        (ciphertext, extra) => {
          const longer = Buffer.concat([ciphertext, extra]);
          assert.throws(() => decryptBytes(kek, longer, { context: 'p' }), rejected);
        },
      ),
      RUNS,
    );
  });
});
