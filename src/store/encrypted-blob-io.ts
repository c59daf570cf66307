import { createHash, type Hash } from 'node:crypto';
import { Transform, Writable } from 'node:stream';
import type { Digest } from '../core/index.js';
import { limitExceeded } from './blob-io.js';

/** A pass-through stage that hashes and counts the bytes and enforces a size limit. */
export class HashTap {
  readonly stream: Transform;
  #size = 0;
  readonly #hash: Hash = createHash('sha256');

  /** A tap refusing more than `maxBytes` (RAMPART_LIMIT_EXCEEDED as a stream error). */
  constructor(maxBytes: number, digest?: Digest) {
    this.stream = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.#size += chunk.length;
        if (this.#size > maxBytes) {
          callback(limitExceeded(maxBytes, digest));
          return;
        }
        this.#hash.update(chunk);
        callback(null, chunk);
      },
    });
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.#size;
  }

  /** The digest of every byte seen; call once, after the stream ended. */
  digest(): Digest {
    return `sha256:${this.#hash.digest('hex')}`;
  }
}

/** A sink that keeps every chunk (for `get`, whose size is bounded by a tap before it). */
export function collector(): { stream: Writable; content: () => Buffer } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      parts.push(chunk);
      callback();
    },
  });
  return { stream, content: () => Buffer.concat(parts) };
}

/** A sink that drops every chunk (for `verify`, which only hashes). */
export function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}
