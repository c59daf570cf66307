import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { isRampartError, type ErrorCode } from '../errors.js';
import { decryptBytes, encryptBytes } from './bytes.js';
import { Decryptor } from './chunker.js';
import { openEnvelope, sealChunk, type DecryptOptions } from './envelope.js';
import { HEADER_SIZE, TAG_SIZE } from './format.js';
import { generateKek } from './kek.js';
import { decryptStream } from './streams.js';

const CHUNK = 32;
const FRAME = CHUNK + TAG_SIZE;
const kek = generateKek();
// 100 bytes in 32-byte chunks: three full chunks and a last chunk of 4 bytes.
const plaintext = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 7) & 0xff));
const ciphertext = encryptBytes(kek, plaintext, { chunkSize: CHUNK, context: 'ctx' });

/** The header and the list of chunk frames of a ciphertext. */
function split(bytes: Buffer): { header: Buffer; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  for (let at = HEADER_SIZE; at < bytes.length; at += FRAME)
    chunks.push(bytes.subarray(at, at + FRAME));
  return { header: bytes.subarray(0, HEADER_SIZE), chunks };
}

function fails(bytes: Buffer, code: ErrorCode, options: DecryptOptions = { context: 'ctx' }): void {
  assert.throws(
    () => decryptBytes(kek, bytes, options),
    (e) => isRampartError(e, code),
  );
}

const failed = 'RAMPART_DECRYPT_FAILED';

describe('envelope decryption under tampering', () => {
  it('has the expected layout (header, three full chunks, one short last chunk)', () => {
    const { chunks } = split(ciphertext);
    assert.deepEqual(
      chunks.map((c) => c.length),
      [FRAME, FRAME, FRAME, 4 + TAG_SIZE],
    );
  });

  it('detects a modified bit in every byte of header and body', () => {
    for (let offset = 0; offset < ciphertext.length; offset += 1) {
      const copy = Buffer.from(ciphertext);
      copy[offset] = copy[offset]! ^ (offset === 13 ? 0x80 : 0x01);
      // Magic, version and an out-of-range chunk size are unreadable; the rest fails to verify.
      const code = offset < 5 || offset === 13 ? 'RAMPART_CIPHERTEXT_MALFORMED' : failed;
      fails(copy, code);
    }
  });

  it('detects truncation at every length, including the empty file and chunk boundaries', () => {
    for (let length = 0; length < ciphertext.length; length += 1) {
      const code = length < HEADER_SIZE ? 'RAMPART_CIPHERTEXT_MALFORMED' : failed;
      fails(ciphertext.subarray(0, length), code);
    }
  });

  it('detects reordered, dropped and duplicated chunks', () => {
    const { header, chunks } = split(ciphertext);
    const [c0, c1, c2, c3] = chunks as [Buffer, Buffer, Buffer, Buffer];
    fails(Buffer.concat([header, c1, c0, c2, c3]), failed);
    fails(Buffer.concat([header, c0, c2, c3]), failed);
    fails(Buffer.concat([header, c0, c0, c1, c2, c3]), failed);
    fails(Buffer.concat([header, c0, c1, c2]), failed);
  });

  it('detects chunks and headers swapped in from another ciphertext under the same key', () => {
    const other = split(encryptBytes(kek, plaintext, { chunkSize: CHUNK, context: 'ctx' }));
    const { header, chunks } = split(ciphertext);
    const mixed = [...chunks];
    mixed[1] = other.chunks[1]!;
    fails(Buffer.concat([header, ...mixed]), failed);
    fails(Buffer.concat([other.header, ...chunks]), failed);
  });

  it('detects data appended after the last chunk', () => {
    const { chunks } = split(ciphertext);
    for (const extra of [Buffer.from([0]), Buffer.alloc(TAG_SIZE), chunks[3]!, ciphertext]) {
      fails(Buffer.concat([ciphertext, extra]), failed);
    }
  });

  it('rejects an empty last chunk after full chunks even when its tag verifies', () => {
    const exact = encryptBytes(kek, plaintext.subarray(0, 2 * CHUNK), { chunkSize: CHUNK });
    const { header } = split(exact);
    const keys = openEnvelope(kek, header, {});
    const pieces = [0, 1].map((i) => plaintext.subarray(i * CHUNK, (i + 1) * CHUNK));
    const body = [
      ...sealChunk(keys, 0, false, [pieces[0]!]),
      ...sealChunk(keys, 1, false, [pieces[1]!]),
      ...sealChunk(keys, 2, true, []),
    ];
    fails(Buffer.concat([header, ...body]), failed, {});
  });

  it('fails with a wrong key, a key missing from the keyring, or a forged key id', () => {
    const wrong = generateKek();
    assert.throws(
      () => decryptBytes(wrong, ciphertext, { context: 'ctx' }),
      (e) => isRampartError(e, failed),
    );
    const forged = Buffer.from(ciphertext);
    Buffer.from(wrong.id, 'hex').copy(forged, 5);
    assert.throws(
      () => decryptBytes(wrong, forged, { context: 'ctx' }),
      (e) => isRampartError(e, failed),
    );
  });

  it('fails with a wrong, missing or unexpected context', () => {
    fails(ciphertext, failed, { context: 'other' });
    fails(ciphertext, failed, {});
    fails(ciphertext, failed, { context: 'ctx ' });
    const plain = encryptBytes(kek, plaintext, { chunkSize: CHUNK });
    fails(plain, failed, { context: 'ctx' });
  });

  it('rejects the pipeline promise with the error code of a failing stream', async () => {
    const run = (bytes: Buffer, context = 'ctx'): Promise<void> =>
      pipeline(Readable.from([bytes]), decryptStream(kek, { context }), async (source) => {
        for await (const piece of source) assert.ok(Buffer.isBuffer(piece));
      });
    await assert.rejects(run(Buffer.alloc(0)), (e) =>
      isRampartError(e, 'RAMPART_CIPHERTEXT_MALFORMED'),
    );
    await assert.rejects(run(ciphertext.subarray(0, HEADER_SIZE + FRAME)), (e) =>
      isRampartError(e, failed),
    );
    await assert.rejects(run(ciphertext, 'wrong'), (e) => isRampartError(e, failed));
  });

  it('releases plaintext only for chunks that verified before the tampered one', async () => {
    const copy = Buffer.from(ciphertext);
    copy[HEADER_SIZE + 2 * FRAME + 3] = copy[HEADER_SIZE + 2 * FRAME + 3]! ^ 0x10;
    const pieces = Array.from({ length: copy.length }, (_, i) => copy.subarray(i, i + 1));
    const decryptor = new Decryptor(kek, { context: 'ctx' });
    const direct: Buffer[] = [];
    assert.throws(
      () => {
        for (const piece of pieces) direct.push(...decryptor.write(piece));
      },
      (e) => isRampartError(e, failed),
    );
    assert.deepEqual(Buffer.concat(direct), plaintext.subarray(0, 2 * CHUNK));

    const streamed: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        streamed.push(chunk);
        callback();
      },
    });
    const run = pipeline(Readable.from(pieces), decryptStream(kek, { context: 'ctx' }), sink);
    await assert.rejects(run, (e) => isRampartError(e, failed));
    assert.deepEqual(Buffer.concat(streamed), plaintext.subarray(0, 2 * CHUNK));
  });
});
