import { Decryptor, Encryptor } from './chunker.js';
import type { DecryptOptions, EncryptOptions } from './envelope.js';
import type { KeySource } from './keyring.js';

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Encrypts a small object held in memory (same format as {@link encryptStream}).
 * @throws RAMPART_LIMIT_EXCEEDED on a chunk size out of range.
 */
export function encryptBytes(
  keys: KeySource,
  plaintext: Uint8Array,
  options: EncryptOptions = {},
): Buffer {
  const encryptor = new Encryptor(keys, options);
  const body = encryptor.write(asBuffer(plaintext)).concat(encryptor.end());
  return Buffer.concat([encryptor.header, ...body]);
}

/**
 * Decrypts a small object held in memory; returns nothing unless every chunk verifies.
 * @throws RAMPART_CIPHERTEXT_MALFORMED on a bad header; RAMPART_DECRYPT_FAILED.
 */
export function decryptBytes(
  keys: KeySource,
  ciphertext: Uint8Array,
  options: DecryptOptions = {},
): Buffer {
  const decryptor = new Decryptor(keys, options);
  let parts: Buffer[] = [];
  try {
    parts = decryptor.write(asBuffer(ciphertext));
    return Buffer.concat(parts.concat(decryptor.end()));
  } catch (error) {
    for (const part of parts) part.fill(0);
    throw error;
  } finally {
    decryptor.wipe();
  }
}
