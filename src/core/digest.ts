/**
 * Content digests: every artefact in Rampart is named by `sha256:<64 lowercase hex digits>`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { RampartError } from './errors.js';

/** A SHA-256 digest in its canonical text form, `sha256:<64 lowercase hex digits>`. */
export type Digest = `sha256:${string}`;

const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
const PREFIX = 'sha256:';
const DIGEST_BYTES = 32;

/** True when `text` is a well-formed digest. */
export function isDigest(text: unknown): text is Digest {
  return typeof text === 'string' && DIGEST_PATTERN.test(text);
}

/**
 * Checks that `text` is a digest and returns it typed.
 * @throws RAMPART_DIGEST_INVALID when it is not `sha256:` followed by 64 lowercase hex digits.
 */
export function parseDigest(text: string): Digest {
  if (!isDigest(text)) {
    // Only a short prefix of the bad input goes into the message: it may be long or hostile.
    throw new RampartError(
      'RAMPART_DIGEST_INVALID',
      `not a digest: ${JSON.stringify(text.slice(0, 80))}`,
      {
        details: { length: text.length },
      },
    );
  }
  return text;
}

/** The SHA-256 digest of `data` (strings are hashed as UTF-8). */
export function sha256(data: Uint8Array | string): Digest {
  return `${PREFIX}${createHash('sha256').update(data).digest('hex')}`;
}

/** The lowercase hex part of a digest. @throws RAMPART_DIGEST_INVALID for a malformed digest. */
export function digestHex(digest: Digest): string {
  return parseDigest(digest).slice(PREFIX.length);
}

/** The raw 32 bytes of a digest. @throws RAMPART_DIGEST_INVALID for a malformed digest. */
export function digestToBytes(digest: Digest): Buffer {
  return Buffer.from(digestHex(digest), 'hex');
}

/** The digest whose raw bytes are `raw`. @throws RAMPART_DIGEST_INVALID unless `raw` is 32 bytes. */
export function digestFromBytes(raw: Uint8Array): Digest {
  if (raw.length !== DIGEST_BYTES) {
    throw new RampartError(
      'RAMPART_DIGEST_INVALID',
      `a SHA-256 digest has ${DIGEST_BYTES} bytes, got ${raw.length}`,
      { details: { length: raw.length } },
    );
  }
  return `${PREFIX}${Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('hex')}`;
}

/**
 * Compares two digests in constant time (for digests that act as secrets or capabilities).
 * @throws RAMPART_DIGEST_INVALID when either is malformed.
 */
export function digestsEqual(a: Digest, b: Digest): boolean {
  return timingSafeEqual(digestToBytes(a), digestToBytes(b));
}
