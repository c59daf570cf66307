// Fuzz target for OpenSSF model signature bundles: mutated golden bundles must parse into a
// well-formed signature or be refused with a model-signature or DSSE code, never anything else.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseModelSignature } from '../../src/registry/index.js';
import { GOLDEN, JSON_MUTATORS, refusedWith, type TargetFactory, type Verdict } from './target.js';

const VECTORS = [
  'v1.0.0-elliptic-key',
  'v1.0.1-elliptic-key',
  'v1.0.1-certificate',
  'v1.1.0-sigstore',
  'v0.2.0-certificate',
];

function checkSignature(input: Buffer): Verdict {
  let parsed: ReturnType<typeof parseModelSignature>;
  try {
    parsed = parseModelSignature(input.toString('utf8'), 'fuzz.sig');
  } catch (error) {
    return refusedWith(error, [
      'RAMPART_MODEL_SIGNATURE_MALFORMED',
      'RAMPART_MODEL_SIGNATURE_UNSUPPORTED',
      'RAMPART_DSSE_MALFORMED',
    ]);
  }
  const names = parsed.resources.map((r) => r.name);
  if (new Set(names).size !== names.length) return { failure: 'duplicate resource names accepted' };
  return 'accepted';
}

/** parseModelSignature: refuses malformed bundles with a model-signature code, never throws else. */
export const modelSignature: TargetFactory = () =>
  Promise.resolve({
    corpus: VECTORS.map((name) => readFileSync(path.join(GOLDEN, name, 'model.sig'))),
    mutators: JSON_MUTATORS,
    check: checkSignature,
  });
