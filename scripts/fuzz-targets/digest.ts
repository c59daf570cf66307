// Fuzz target for digest text: exactly the well-formed sha256 digests parse, and they round
// trip through their raw bytes.
import { digestFromBytes, digestToBytes, parseDigest, type Digest } from '../../src/core/index.js';
import { TEXT_MUTATORS } from '../../testkit/fuzz-mutators.js';
import { refusedWith, type TargetFactory, type Verdict } from './target.js';

const DIGEST_TEXT = /^sha256:[0-9a-f]{64}$/;

function checkDigest(input: Buffer): Verdict {
  const text = input.toString('utf8');
  const wellFormed = DIGEST_TEXT.test(text);
  let parsed: Digest;
  try {
    parsed = parseDigest(text);
  } catch (error) {
    return wellFormed
      ? { failure: 'a well-formed digest was refused' }
      : refusedWith(error, ['RAMPART_DIGEST_INVALID']);
  }
  if (!wellFormed || parsed !== text) return { failure: 'a malformed digest was accepted' };
  if (digestFromBytes(digestToBytes(parsed)) !== parsed) {
    return { failure: 'raw bytes do not round trip' };
  }
  return 'accepted';
}

/** parseDigest: accepts exactly the well-formed digests. */
export const digest: TargetFactory = ({ rng }) => {
  const hex = rng.bytes(32).toString('hex');
  const texts = [
    `sha256:${hex}`,
    `sha256:${hex.toUpperCase()}`,
    `sha512:${hex}${hex}`,
    `sha256:${hex.slice(1)}`,
    ` sha256:${hex}\n`,
    '',
  ];
  return Promise.resolve({
    corpus: texts.map((text) => Buffer.from(text)),
    mutators: TEXT_MUTATORS,
    check: checkDigest,
  });
};
