import { Transform, type TransformCallback } from 'node:stream';
import { wrapError } from '../errors.js';
import { Decryptor, Encryptor } from './chunker.js';
import type { DecryptOptions, EncryptOptions } from './envelope.js';
import type { KeySource } from './keyring.js';

interface Engine {
  write(input: Buffer): Buffer[];
  end(): Buffer[];
  wipe(): void;
}

// Larger stream buffers than the 16 KiB default cut per-buffer overhead; memory stays bounded.
const STREAM_BUFFER = 256 * 1024;

function engineTransform(engine: Engine, failure: string): Transform {
  const run = (stream: Transform, step: () => Buffer[], callback: TransformCallback): void => {
    try {
      for (const piece of step()) stream.push(piece);
      callback();
    } catch (error) {
      callback(wrapError(error, 'RAMPART_INTERNAL', failure));
    }
  };
  return new Transform({
    readableHighWaterMark: STREAM_BUFFER,
    writableHighWaterMark: STREAM_BUFFER,
    transform(chunk: Buffer, _encoding, callback) {
      run(this, () => engine.write(chunk), callback);
    },
    flush(callback) {
      run(this, () => engine.end(), callback);
    },
    destroy(error, callback) {
      engine.wipe();
      callback(error);
    },
  });
}

/**
 * A Transform that encrypts a byte stream into the Rampart format (see format.ts) under the
 * primary KEK, with bounded memory (one chunk plus stream buffers).
 * @throws RAMPART_LIMIT_EXCEEDED (synchronously) on a chunk size out of range.
 */
export function encryptStream(keys: KeySource, options: EncryptOptions = {}): Transform {
  const encryptor = new Encryptor(keys, options);
  const stream = engineTransform(encryptor, 'encryption failed');
  stream.push(encryptor.header);
  return stream;
}

/**
 * A Transform that decrypts the Rampart format, emitting each chunk only after it verifies;
 * it fails (as a stream error, so `pipeline` rejects) with RAMPART_CIPHERTEXT_MALFORMED on a bad
 * header and RAMPART_DECRYPT_FAILED on a wrong key or context, tampering or truncation.
 */
export function decryptStream(keys: KeySource, options: DecryptOptions = {}): Transform {
  return engineTransform(new Decryptor(keys, options), 'decryption failed');
}
