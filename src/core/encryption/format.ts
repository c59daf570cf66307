/**
 * The Rampart encrypted-object format, version 1: envelope encryption with a chunked
 * AES-256-GCM STREAM body. All integers are big-endian; `‖` is concatenation.
 *
 * Header (109 bytes):
 *
 * | offset | size | field                                                    |
 * | ------ | ---- | -------------------------------------------------------- |
 * | 0      | 4    | magic, ASCII `RMPE` (52 4d 50 45)                         |
 * | 4      | 1    | version, 0x01                                            |
 * | 5      | 8    | kekId: first 8 bytes of SHA-256("rampart/kek-id/v1" ‖ KEK) |
 * | 13     | 4    | chunkSize: plaintext bytes per chunk, 16 … 16 777 216    |
 * | 17     | 32   | salt: random                                             |
 * | 49     | 12   | wrapNonce: random                                        |
 * | 61     | 48   | wrappedDek: AES-256-GCM ciphertext (32) ‖ tag (16)       |
 *
 * Key schedule, per object:
 *
 * - `DEK` = 32 random bytes; `ctx` = SHA-256(UTF-8 context string; empty when none).
 * - `wrappedDek` = AES-256-GCM(key = KEK, nonce = wrapNonce, plaintext = DEK,
 *   aad = header[0..61) ‖ ctx). This authenticates every header field before it and the context.
 * - `okm` = HKDF-SHA-256(ikm = DEK, salt = salt, info = "rampart/encryption/v1/stream" ‖ ctx,
 *   length = 44); contentKey = okm[0..32), baseNonce = okm[32..44).
 *
 * Body: chunks 0, 1, … n−1. Chunk i holds plaintext bytes [i·chunkSize, (i+1)·chunkSize); every
 * chunk but the last holds exactly chunkSize bytes; the last holds 1 … chunkSize bytes, or 0 bytes
 * only when the whole plaintext is empty (then it is the only chunk). Each chunk is written as
 * AES-256-GCM(key = contentKey, nonce_i, aad = header[0..109)) ciphertext ‖ 16-byte tag, with
 * nonce_i = baseNonce XOR (i as an 88-bit unsigned integer ‖ f), where the flag byte f is 0x01 for
 * the last chunk and 0x00 otherwise. Nothing follows the last chunk.
 *
 * Size: 109 + plaintext length + 16 × max(1, ⌈length / chunkSize⌉) bytes. A reader knows the
 * last chunk because the stream ends after it, and its flag makes truncation at a chunk boundary,
 * reordering, splicing between objects and appended bytes fail authentication.
 */
import { createHash } from 'node:crypto';
import { RampartError } from '../errors.js';

/** ASCII `RMPE`, the first four bytes of every encrypted object. */
export const MAGIC = Buffer.from('RMPE', 'latin1');
/** The only format version this code reads and writes. */
export const FORMAT_VERSION = 1;
/** Length of the key-encryption-key id in the header. */
export const KEK_ID_SIZE = 8;
/** Length of the HKDF salt. */
export const SALT_SIZE = 32;
/** Length of an AES-GCM nonce. */
export const NONCE_SIZE = 12;
/** Length of an AES-GCM tag. */
export const TAG_SIZE = 16;
/** Length of a data key (and of a key-encryption key). */
export const KEY_SIZE = 32;
/** Length of the wrapped data key: ciphertext and tag. */
export const WRAPPED_DEK_SIZE = KEY_SIZE + TAG_SIZE;
/** Length of the whole header. */
export const HEADER_SIZE = 4 + 1 + KEK_ID_SIZE + 4 + SALT_SIZE + NONCE_SIZE + WRAPPED_DEK_SIZE;
/** Header bytes covered as associated data by the DEK wrap (everything before wrappedDek). */
export const WRAP_AAD_PREFIX_SIZE = HEADER_SIZE - WRAPPED_DEK_SIZE;
/** Smallest chunk size accepted. */
export const MIN_CHUNK_SIZE = 16;
/** Largest chunk size accepted; it bounds the memory a reader spends on one chunk. */
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/** Chunk size used when the caller gives none (64 KiB measured fastest, see bench/crypt.ts). */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;

const OFFSET_KEK_ID = 5;
const OFFSET_CHUNK_SIZE = OFFSET_KEK_ID + KEK_ID_SIZE;
const OFFSET_SALT = OFFSET_CHUNK_SIZE + 4;
const OFFSET_WRAP_NONCE = OFFSET_SALT + SALT_SIZE;
const STREAM_INFO = Buffer.from('rampart/encryption/v1/stream', 'latin1');

/** The parsed fields of a header. */
export interface Header {
  readonly kekId: Buffer;
  readonly chunkSize: number;
  readonly salt: Buffer;
  readonly wrapNonce: Buffer;
  readonly wrappedDek: Buffer;
}

/** Header fields known before the data key is wrapped. */
export type HeaderPrefix = Omit<Header, 'wrappedDek'>;

/**
 * Checks a chunk size chosen by a caller.
 * @throws RAMPART_LIMIT_EXCEEDED when it is not an integer in MIN_CHUNK_SIZE … MAX_CHUNK_SIZE.
 */
export function checkChunkSize(chunkSize: number): number {
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw new RampartError(
      'RAMPART_LIMIT_EXCEEDED',
      `chunk size ${chunkSize} is not an integer in ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE} bytes`,
      { details: { chunkSize }, hint: 'Use the default chunk size (64 KiB) unless measured.' },
    );
  }
  return chunkSize;
}

/** Writes the header bytes before wrappedDek (the DEK wrap's associated-data prefix). */
export function encodeHeaderPrefix(prefix: HeaderPrefix): Buffer {
  const out = Buffer.alloc(WRAP_AAD_PREFIX_SIZE);
  MAGIC.copy(out, 0);
  out[4] = FORMAT_VERSION;
  prefix.kekId.copy(out, OFFSET_KEK_ID);
  out.writeUInt32BE(prefix.chunkSize, OFFSET_CHUNK_SIZE);
  prefix.salt.copy(out, OFFSET_SALT);
  prefix.wrapNonce.copy(out, OFFSET_WRAP_NONCE);
  return out;
}

/**
 * Parses the first HEADER_SIZE bytes of an encrypted object.
 * @throws RAMPART_CIPHERTEXT_MALFORMED on a short buffer, wrong magic, unknown version or a
 * chunk size out of range.
 */
export function parseHeader(bytes: Buffer): Header {
  const malformed = (reason: string, details: Record<string, unknown> = {}): RampartError =>
    new RampartError('RAMPART_CIPHERTEXT_MALFORMED', `encrypted object header: ${reason}`, {
      details,
    });
  if (bytes.length < HEADER_SIZE) {
    throw malformed(`only ${bytes.length} of ${HEADER_SIZE} bytes`, { length: bytes.length });
  }
  if (!bytes.subarray(0, 4).equals(MAGIC)) throw malformed('magic is not RMPE');
  const version = bytes[4];
  if (version !== FORMAT_VERSION) throw malformed(`unknown version ${version}`, { version });
  const chunkSize = bytes.readUInt32BE(OFFSET_CHUNK_SIZE);
  if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw malformed(`chunk size ${chunkSize} out of range`, { chunkSize });
  }
  const field = (offset: number, size: number): Buffer =>
    Buffer.from(bytes.subarray(offset, offset + size));
  return {
    kekId: field(OFFSET_KEK_ID, KEK_ID_SIZE),
    chunkSize,
    salt: field(OFFSET_SALT, SALT_SIZE),
    wrapNonce: field(OFFSET_WRAP_NONCE, NONCE_SIZE),
    wrappedDek: field(WRAP_AAD_PREFIX_SIZE, WRAPPED_DEK_SIZE),
  };
}

/** SHA-256 of the UTF-8 context string; the empty string when no context is given. */
export function contextDigest(context: string | undefined): Buffer {
  return createHash('sha256')
    .update(context ?? '', 'utf8')
    .digest();
}

/** The HKDF info string for the chunk keys: the fixed label followed by the context digest. */
export function streamInfo(ctx: Buffer): Buffer {
  return Buffer.concat([STREAM_INFO, ctx]);
}

/** nonce_i = baseNonce XOR (88-bit big-endian chunk index ‖ last-chunk flag byte). */
export function chunkNonce(baseNonce: Buffer, index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(NONCE_SIZE);
  // Six bytes hold 2^48 chunks (over 4 PiB at the smallest chunk size); the five above stay zero.
  nonce.writeUIntBE(index, 5, 6);
  nonce[NONCE_SIZE - 1] = last ? 1 : 0;
  for (let i = 0; i < NONCE_SIZE; i += 1) nonce[i] = (nonce[i] ?? 0) ^ (baseNonce[i] ?? 0);
  return nonce;
}
