import { RampartError } from '../errors.js';
import { ByteQueue } from './byte-queue.js';
import {
  createEnvelope,
  openChunk,
  openEnvelope,
  sealChunk,
  type ChunkKeys,
  type DecryptOptions,
  type EncryptOptions,
} from './envelope.js';
import { HEADER_SIZE, TAG_SIZE } from './format.js';
import type { KeySource } from './keyring.js';

/**
 * Incremental encryption of one object: feed plaintext with `write`, finish with `end`; emit
 * `header` first, then every returned buffer in order. Holds at most one chunk plus one input.
 */
export class Encryptor {
  /** The header bytes, to be written before any chunk. */
  readonly header: Buffer;
  readonly #keys: ChunkKeys;
  readonly #queue = new ByteQueue();
  #index = 0;

  /** @throws RAMPART_LIMIT_EXCEEDED on a chunk size out of range. */
  constructor(keys: KeySource, options: EncryptOptions = {}) {
    this.#keys = createEnvelope(keys, options);
    this.header = this.#keys.header;
  }

  /** Queues plaintext; returns the ciphertext of every chunk now known not to be the last. */
  write(plaintext: Buffer): Buffer[] {
    this.#queue.push(plaintext);
    const out: Buffer[] = [];
    const size = this.#keys.chunkSize;
    // A full chunk is sealed only once a later byte proves it is not the last one.
    while (this.#queue.length > size) {
      for (const piece of sealChunk(this.#keys, this.#index, false, this.#queue.take(size))) {
        out.push(piece);
      }
      this.#index += 1;
    }
    return out;
  }

  /** Seals the last chunk (possibly empty only for an empty object) and wipes the keys. */
  end(): Buffer[] {
    const out = sealChunk(this.#keys, this.#index, true, this.#queue.take(this.#queue.length));
    this.wipe();
    return out;
  }

  /** Zeroes the chunk key; call when abandoning the object. */
  wipe(): void {
    this.#keys.key.fill(0);
  }
}

/**
 * Incremental decryption of one object: feed ciphertext with `write`, finish with `end`. Every
 * returned buffer has been authenticated; `end` proves nothing was cut off or appended.
 */
export class Decryptor {
  readonly #source: KeySource;
  readonly #options: DecryptOptions;
  readonly #queue = new ByteQueue();
  #keys: ChunkKeys | undefined;
  #index = 0;

  /** A decryptor that picks its key from `keys` by the id in the header. */
  constructor(keys: KeySource, options: DecryptOptions = {}) {
    this.#source = keys;
    this.#options = options;
  }

  /**
   * Queues ciphertext; returns the plaintext of every chunk that is complete and not the last.
   * @throws RAMPART_CIPHERTEXT_MALFORMED on a bad header; RAMPART_DECRYPT_FAILED.
   */
  write(ciphertext: Buffer): Buffer[] {
    this.#queue.push(ciphertext);
    if (this.#keys === undefined) {
      if (this.#queue.length < HEADER_SIZE) return [];
      this.#keys = openEnvelope(this.#source, this.#queue.takeBuffer(HEADER_SIZE), this.#options);
    }
    const out: Buffer[] = [];
    const size = this.#keys.chunkSize;
    while (this.#queue.length > size + TAG_SIZE) {
      for (const piece of this.#open(this.#keys, size, false)) out.push(piece);
    }
    return out;
  }

  /**
   * Opens the last chunk and wipes the keys.
   * @throws RAMPART_CIPHERTEXT_MALFORMED when the input ended inside the header;
   * RAMPART_DECRYPT_FAILED when it was truncated or the last chunk does not authenticate.
   */
  end(): Buffer[] {
    const keys = this.#keys;
    const rest = this.#queue.length;
    if (keys === undefined) {
      throw new RampartError(
        'RAMPART_CIPHERTEXT_MALFORMED',
        `encrypted object ended after ${rest} bytes, inside its ${HEADER_SIZE}-byte header`,
        { details: { length: rest } },
      );
    }
    if (rest < TAG_SIZE || (rest === TAG_SIZE && this.#index > 0)) {
      throw new RampartError(
        'RAMPART_DECRYPT_FAILED',
        `encrypted object is truncated: it ends ${rest} bytes into chunk ${this.#index}`,
        { details: { chunk: this.#index, bytes: rest } },
      );
    }
    const out = this.#open(keys, rest - TAG_SIZE, true);
    this.wipe();
    return out;
  }

  /** Zeroes the chunk key, if one was derived. */
  wipe(): void {
    this.#keys?.key.fill(0);
  }

  #open(keys: ChunkKeys, size: number, last: boolean): Buffer[] {
    const pieces = this.#queue.take(size);
    const out = openChunk(keys, this.#index, last, pieces, this.#queue.takeBuffer(TAG_SIZE));
    this.#index += 1;
    return out;
  }
}
