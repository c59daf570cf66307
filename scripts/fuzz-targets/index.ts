// Every fuzz target by name, and how the harness builds one and judges an input against it.
import { isRampartError } from '../../src/core/index.js';
import { Rng } from '../../testkit/fuzz-rng.js';
import { canonicalJson } from './canonical-json.js';
import { config } from './config.js';
import { digest } from './digest.js';
import { dsse, statement } from './dsse.js';
import { encryption } from './encryption.js';
import { kekFile, keys } from './keys.js';
import { modelSignature } from './model-signature.js';
import { oip } from './oip.js';
import { scan } from './scan.js';
import { describeError, type Target, type TargetFactory, type Verdict } from './target.js';

/** Every fuzz target by name. */
export const TARGETS: Readonly<Record<string, TargetFactory>> = {
  dsse,
  statement,
  'canonical-json': canonicalJson,
  encryption,
  config,
  digest,
  'kek-file': kekFile,
  keys,
  scan,
  'model-signature': modelSignature,
  oip,
};

/** Builds the named target; its corpus depends only on the seed. */
export function makeTarget(name: string, seed: string, scratch: string): Promise<Target> {
  const factory = TARGETS[name];
  if (factory === undefined) throw new TypeError(`unknown target ${name}`);
  return factory({ rng: new Rng(`${seed}/${name}/corpus`), scratch });
}

/** Runs one input and classifies the outcome; a RampartError is a clean refusal. */
export async function judge(target: Target, input: Buffer): Promise<Verdict> {
  try {
    return await target.check(input);
  } catch (error) {
    return isRampartError(error) ? 'rejected' : { failure: `threw ${describeError(error)}` };
  }
}
