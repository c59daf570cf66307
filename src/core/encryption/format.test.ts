import assert from 'node:assert/strict';
import { createCipheriv, createHash, hkdfSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { isRampartError } from '../errors.js';
import { decryptBytes, encryptBytes } from './bytes.js';
import {
  checkChunkSize,
  chunkNonce,
  HEADER_SIZE,
  MAX_CHUNK_SIZE,
  MIN_CHUNK_SIZE,
  parseHeader,
} from './format.js';
import { Kek, type RandomSource } from './kek.js';

// Call k of the random source returns `size` bytes all equal to k: DEK 00…, salt 01…, nonce 02….
function countingRandom(): RandomSource {
  let call = 0;
  return (size) => Buffer.alloc(size, call++);
}

const KAT_KEK = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const KAT_CONTEXT = 'blob|sha256:kat';
const KAT_PLAINTEXT = Buffer.from('Rampart known-answer test: 40 bytes.....', 'utf8');
const KAT_SHA256 = '7d59f2228467e4aa6b58d09ce0a99a752078ce4c78b8ad944985207dfe3d8c83';

function gcm(key: Buffer, nonce: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

// An independent transcription of the format described in format.ts, with one-shot calls.
function referenceEncrypt(plaintext: Buffer, chunkSize: number): Buffer {
  const [dek, salt, wrapNonce] = [Buffer.alloc(32, 0), Buffer.alloc(32, 1), Buffer.alloc(12, 2)];
  const sha = (...parts: Buffer[]): Buffer =>
    createHash('sha256').update(Buffer.concat(parts)).digest();
  const ctx = sha(Buffer.from(KAT_CONTEXT));
  const kekId = sha(Buffer.from('rampart/kek-id/v1'), KAT_KEK).subarray(0, 8);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(chunkSize);
  const prefix = Buffer.concat([
    Buffer.from('RMPE'),
    Buffer.from([1]),
    kekId,
    size,
    salt,
    wrapNonce,
  ]);
  const header = Buffer.concat([
    prefix,
    gcm(KAT_KEK, wrapNonce, Buffer.concat([prefix, ctx]), dek),
  ]);
  const info = Buffer.concat([Buffer.from('rampart/encryption/v1/stream'), ctx]);
  const okm = Buffer.from(hkdfSync('sha256', dek, salt, info, 44));
  const chunks: Buffer[] = [header];
  const count = Math.max(1, Math.ceil(plaintext.length / chunkSize));
  for (let i = 0; i < count; i += 1) {
    const nonce = Buffer.alloc(12);
    nonce.writeUIntBE(i, 5, 6);
    nonce[11] = i === count - 1 ? 1 : 0;
    for (let b = 0; b < 12; b += 1) nonce[b] = nonce[b]! ^ okm[32 + b]!;
    const part = plaintext.subarray(i * chunkSize, (i + 1) * chunkSize);
    chunks.push(gcm(okm.subarray(0, 32), nonce, header, part));
  }
  return Buffer.concat(chunks);
}

describe('encryption format', () => {
  it('matches an independent transcription of the documented format (known answer)', () => {
    const kek = Kek.fromBytes(KAT_KEK);
    const options = { context: KAT_CONTEXT, chunkSize: 16, random: countingRandom() };
    const ciphertext = encryptBytes(kek, KAT_PLAINTEXT, options);
    assert.equal(ciphertext.length, HEADER_SIZE + 40 + 3 * 16);
    assert.deepEqual(ciphertext, referenceEncrypt(KAT_PLAINTEXT, 16));
    assert.equal(createHash('sha256').update(ciphertext).digest('hex'), KAT_SHA256);
    assert.deepEqual(decryptBytes(kek, ciphertext, { context: KAT_CONTEXT }), KAT_PLAINTEXT);
  });

  it('encrypts the empty plaintext as a header and one empty last chunk', () => {
    const kek = Kek.fromBytes(KAT_KEK);
    const options = { context: KAT_CONTEXT, chunkSize: 16, random: countingRandom() };
    const ciphertext = encryptBytes(kek, Buffer.alloc(0), options);
    assert.deepEqual(ciphertext, referenceEncrypt(Buffer.alloc(0), 16));
  });

  it('names the key-encryption key by a stable id derived from the key', () => {
    assert.equal(Kek.fromBytes(KAT_KEK).id, Kek.fromBytes(Buffer.from(KAT_KEK)).id);
    assert.match(Kek.fromBytes(KAT_KEK).id, /^[0-9a-f]{16}$/);
    assert.notEqual(Kek.fromBytes(KAT_KEK).id, Kek.fromBytes(Buffer.alloc(32)).id);
  });

  it('flips only the counter and flag bytes of the base nonce', () => {
    const base = Buffer.alloc(12, 0xff);
    assert.equal(chunkNonce(base, 0, false).toString('hex'), 'ffffffffffffffffffffffff');
    assert.equal(chunkNonce(base, 0, true).toString('hex'), 'fffffffffffffffffffffffe');
    assert.equal(chunkNonce(base, 0x0102, false).toString('hex'), 'fffffffffffffffffffefdff');
  });

  it('accepts chunk sizes from 16 B to 16 MiB only', () => {
    assert.equal(checkChunkSize(MIN_CHUNK_SIZE), MIN_CHUNK_SIZE);
    assert.equal(checkChunkSize(MAX_CHUNK_SIZE), MAX_CHUNK_SIZE);
    for (const bad of [0, 15, MAX_CHUNK_SIZE + 1, 1.5, Number.NaN]) {
      assert.throws(
        () => checkChunkSize(bad),
        (e) => isRampartError(e, 'RAMPART_LIMIT_EXCEEDED'),
      );
    }
  });

  it('rejects a short header, a wrong magic, an unknown version and a bad chunk size', () => {
    const kek = Kek.fromBytes(KAT_KEK);
    const header = encryptBytes(kek, Buffer.alloc(0)).subarray(0, HEADER_SIZE);
    const malformed = (e: unknown): boolean => isRampartError(e, 'RAMPART_CIPHERTEXT_MALFORMED');
    assert.throws(() => parseHeader(header.subarray(0, HEADER_SIZE - 1)), malformed);
    const edits: ((b: Buffer) => void)[] = [
      (b) => (b[0] = 0x58),
      (b) => (b[4] = 2),
      (b) => b.writeUInt32BE(MAX_CHUNK_SIZE + 1, 13),
      (b) => b.writeUInt32BE(MIN_CHUNK_SIZE - 1, 13),
    ];
    for (const edit of edits) {
      const copy = Buffer.from(header);
      edit(copy);
      assert.throws(() => parseHeader(copy), malformed);
    }
    assert.equal(parseHeader(header).chunkSize, 64 * 1024);
  });
});
