import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { RampartError } from '../errors.js';
import {
  checkChunkSize,
  chunkNonce,
  contextDigest,
  DEFAULT_CHUNK_SIZE,
  encodeHeaderPrefix,
  HEADER_SIZE,
  KEY_SIZE,
  NONCE_SIZE,
  parseHeader,
  SALT_SIZE,
  streamInfo,
  TAG_SIZE,
  WRAP_AAD_PREFIX_SIZE,
} from './format.js';
import type { RandomSource } from './kek.js';
import { toKeyring, type KeySource } from './keyring.js';

/** How to encrypt one object. */
export interface EncryptOptions {
  /** Bound to the ciphertext (e.g. `blob|sha256:…`); decryption must give the same string. */
  readonly context?: string;
  /** Plaintext bytes per chunk, 16 B … 16 MiB; default 64 KiB. Recorded in the header. */
  readonly chunkSize?: number;
  /** Random bytes for the data key, salt and wrap nonce (drawn in that order); for tests. */
  readonly random?: RandomSource;
}

/** How to decrypt one object. */
export interface DecryptOptions {
  /** The context given at encryption, if any. */
  readonly context?: string;
}

/** The per-object secrets and header that chunks are sealed and opened with. */
export interface ChunkKeys {
  /** The 109 header bytes, associated data of every chunk. */
  readonly header: Buffer;
  readonly chunkSize: number;
  readonly key: Buffer;
  readonly baseNonce: Buffer;
}

function deriveChunkKeys(
  dek: Buffer,
  salt: Buffer,
  ctx: Buffer,
  header: Buffer,
  chunkSize: number,
): ChunkKeys {
  const okm = Buffer.from(hkdfSync('sha256', dek, salt, streamInfo(ctx), KEY_SIZE + NONCE_SIZE));
  return { header, chunkSize, key: okm.subarray(0, KEY_SIZE), baseNonce: okm.subarray(KEY_SIZE) };
}

/**
 * Starts a new object: draws a data key, wraps it under the primary KEK and derives chunk keys.
 * @throws RAMPART_LIMIT_EXCEEDED on a chunk size out of range.
 */
export function createEnvelope(keys: KeySource, options: EncryptOptions = {}): ChunkKeys {
  const chunkSize = checkChunkSize(options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const random = options.random ?? randomBytes;
  const kek = toKeyring(keys).primary;
  const ctx = contextDigest(options.context);
  const dek = random(KEY_SIZE);
  const salt = random(SALT_SIZE);
  const wrapNonce = random(NONCE_SIZE);
  const prefix = encodeHeaderPrefix({ kekId: kek.idBytes, chunkSize, salt, wrapNonce });
  const header = Buffer.concat([prefix, kek.wrap(dek, wrapNonce, Buffer.concat([prefix, ctx]))]);
  const chunkKeys = deriveChunkKeys(dek, salt, ctx, header, chunkSize);
  dek.fill(0);
  return chunkKeys;
}

/**
 * Reads a header, picks its KEK from the keyring, unwraps the data key and derives chunk keys.
 * @throws RAMPART_CIPHERTEXT_MALFORMED on a bad header; RAMPART_DECRYPT_FAILED when the KEK is
 * missing from the keyring or the data key does not unwrap (wrong key, context or header).
 */
export function openEnvelope(keys: KeySource, bytes: Buffer, options: DecryptOptions): ChunkKeys {
  const fields = parseHeader(bytes);
  const header = Buffer.from(bytes.subarray(0, HEADER_SIZE));
  const kek = toKeyring(keys).requireKey(fields.kekId.toString('hex'));
  const ctx = contextDigest(options.context);
  const aad = Buffer.concat([header.subarray(0, WRAP_AAD_PREFIX_SIZE), ctx]);
  const dek = kek.unwrap(fields.wrappedDek, fields.wrapNonce, aad);
  const chunkKeys = deriveChunkKeys(dek, fields.salt, ctx, header, fields.chunkSize);
  dek.fill(0);
  return chunkKeys;
}

/** Encrypts one chunk given as pieces; returns the ciphertext pieces followed by the tag. */
export function sealChunk(
  keys: ChunkKeys,
  index: number,
  last: boolean,
  pieces: readonly Buffer[],
): Buffer[] {
  const nonce = chunkNonce(keys.baseNonce, index, last);
  const cipher = createCipheriv('aes-256-gcm', keys.key, nonce, { authTagLength: TAG_SIZE });
  cipher.setAAD(keys.header);
  const out = pieces.map((piece) => cipher.update(piece));
  cipher.final();
  out.push(cipher.getAuthTag());
  return out;
}

/**
 * Decrypts one chunk; the plaintext is returned only after the tag verifies.
 * @throws RAMPART_DECRYPT_FAILED when it does not (modified, reordered, swapped or cut).
 */
export function openChunk(
  keys: ChunkKeys,
  index: number,
  last: boolean,
  pieces: readonly Buffer[],
  tag: Buffer,
): Buffer[] {
  const nonce = chunkNonce(keys.baseNonce, index, last);
  const decipher = createDecipheriv('aes-256-gcm', keys.key, nonce, { authTagLength: TAG_SIZE });
  decipher.setAAD(keys.header);
  decipher.setAuthTag(tag);
  const out = pieces.map((piece) => decipher.update(piece));
  try {
    decipher.final();
  } catch (error) {
    for (const piece of out) piece.fill(0);
    throw new RampartError(
      'RAMPART_DECRYPT_FAILED',
      `chunk ${index}${last ? ' (last)' : ''} does not authenticate: it was modified, reordered, swapped from another object or cut short`,
      { cause: error, details: { chunk: index, last } },
    );
  }
  return out;
}
