import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { RampartError } from '../errors.js';
import { KEK_ID_SIZE, KEY_SIZE, TAG_SIZE } from './format.js';

/** A source of random bytes; injectable so tests can be deterministic. */
export type RandomSource = (size: number) => Buffer;

const KEK_ID_LABEL = Buffer.from('rampart/kek-id/v1', 'latin1');

/**
 * A 256-bit key-encryption key. It wraps data keys with AES-256-GCM; its bytes stay inside the
 * object (they never appear in JSON, inspection, messages or details) except through
 * {@link Kek.exportBytes}.
 */
export class Kek {
  /** Stable public id: hex of the first 8 bytes of SHA-256("rampart/kek-id/v1" ‖ key). */
  readonly id: string;
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
    this.id = createHash('sha256').update(KEK_ID_LABEL).update(key).digest('hex').slice(0, 16);
  }

  /**
   * A key-encryption key from 32 secret bytes (copied).
   * @throws RAMPART_KEY_INVALID when the length is not 32 bytes.
   */
  static fromBytes(bytes: Uint8Array): Kek {
    if (bytes.length !== KEY_SIZE) {
      throw new RampartError(
        'RAMPART_KEY_INVALID',
        `a key-encryption key must be ${KEY_SIZE} bytes, got ${bytes.length}`,
        { hint: 'Generate a key-encryption key with generateKek() or `rampart init`.' },
      );
    }
    return new Kek(Buffer.from(bytes));
  }

  /** The id as the 8 raw bytes stored in ciphertext headers. */
  get idBytes(): Buffer {
    return Buffer.from(this.id, 'hex').subarray(0, KEK_ID_SIZE);
  }

  /** A copy of the secret key bytes, for saving the key; the caller should zero it after use. */
  exportBytes(): Buffer {
    return Buffer.from(this.#key);
  }

  /** Wraps a data key with AES-256-GCM under this key; returns ciphertext ‖ tag. */
  wrap(dek: Buffer, nonce: Buffer, aad: Buffer): Buffer {
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce, { authTagLength: TAG_SIZE });
    cipher.setAAD(aad);
    return Buffer.concat([cipher.update(dek), cipher.final(), cipher.getAuthTag()]);
  }

  /**
   * Unwraps a data key wrapped by {@link Kek.wrap} with the same nonce and associated data.
   * @throws RAMPART_DECRYPT_FAILED when the tag does not verify (wrong key, context or header).
   */
  unwrap(wrapped: Buffer, nonce: Buffer, aad: Buffer): Buffer {
    const body = wrapped.subarray(0, wrapped.length - TAG_SIZE);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce, {
      authTagLength: TAG_SIZE,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG_SIZE));
    const dek = decipher.update(body);
    try {
      decipher.final();
    } catch (error) {
      dek.fill(0);
      throw new RampartError(
        'RAMPART_DECRYPT_FAILED',
        `the data key does not unwrap with key-encryption key ${this.id}: wrong key, wrong context or a modified header`,
        { cause: error, details: { kekId: this.id } },
      );
    }
    return dek;
  }
}

/** A fresh random key-encryption key; `random` is injectable for tests. */
export function generateKek(random: RandomSource = randomBytes): Kek {
  const bytes = random(KEY_SIZE);
  try {
    return Kek.fromBytes(bytes);
  } finally {
    bytes.fill(0);
  }
}
