// Fuzz target for JSON canonicalization: odd JavaScript values must either be refused with a
// coded error or give canonical text that parses back to the same value.
import { isDeepStrictEqual } from 'node:util';
import { canonicalize } from '../../src/core/index.js';
import { BYTE_MUTATORS } from '../../testkit/fuzz-mutators.js';
import { jsonishFromBytes } from '../../testkit/fuzz-values.js';
import { refusedWith, type TargetFactory, type Verdict } from './target.js';

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function checkCanonical(input: Buffer): Verdict {
  const { value, maxDepth } = jsonishFromBytes(input);
  let text: string;
  try {
    text = canonicalize(value, maxDepth === undefined ? {} : { maxDepth });
  } catch (error) {
    return refusedWith(error, ['RAMPART_JSON_NOT_CANONICALIZABLE', 'RAMPART_LIMIT_EXCEEDED']);
  }
  if (LONE_SURROGATE.test(text)) return { failure: 'output holds a lone surrogate' };
  const parsed = JSON.parse(text) as unknown;
  if (!isDeepStrictEqual(parsed, JSON.parse(JSON.stringify(value)))) {
    return { failure: 'output does not parse back to the same value' };
  }
  if (canonicalize(parsed) !== text) return { failure: 'canonical form is not a fixed point' };
  return 'accepted';
}

/** canonicalize: its output is well-formed, faithful and a fixed point. */
export const canonicalJson: TargetFactory = ({ rng }) =>
  Promise.resolve({
    corpus: Array.from({ length: 32 }, () => rng.bytes(4 + rng.int(200))),
    mutators: BYTE_MUTATORS,
    check: checkCanonical,
  });
