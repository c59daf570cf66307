// The shape of a fuzz target and the helpers every target shares: how an outcome is judged,
// how errors are described, seeded keys and the golden vectors.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { inspect } from 'node:util';
import { isRampartError, type ErrorCode } from '../../src/core/index.js';
import { TEXT_MUTATORS, treeMutator, type Mutator } from '../../testkit/fuzz-mutators.js';
import type { Rng } from '../../testkit/fuzz-rng.js';
import { sharedRoot } from '../../testkit/paths.js';

/** What one input did: accepted, refused with a RampartError, or broke the target's rule. */
export type Verdict = 'accepted' | 'rejected' | { readonly failure: string };

/** Valid inputs to start from, how to mutate them, and the rule every input must keep. */
export interface Target {
  readonly corpus: readonly Buffer[];
  readonly mutators: readonly Mutator[];
  /** Largest input for this target, at most MAX_INPUT (scripts/fuzz-child.ts). */
  readonly maxInput?: number;
  check(input: Buffer): Verdict | Promise<Verdict>;
}

/** Builds a target from a seeded random source and a scratch directory of its own. */
export type TargetFactory = (context: { rng: Rng; scratch: string }) => Promise<Target>;

/** The model-signing golden vectors. */
export const GOLDEN = path.join(sharedRoot, 'vectors', 'model-signing');
/** The golden vectors' certificate keys. */
export const GOLDEN_KEYS = path.join(GOLDEN, 'keys', 'certificate');
/** PKCS#8 prefix that turns 32 seeded bytes into an Ed25519 key, so it depends only on the seed. */
export const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
/** Mutators for JSON text: text edits plus edits of the parsed tree. */
export const JSON_MUTATORS = [...TEXT_MUTATORS, ...Array<Mutator>(4).fill(treeMutator(JSON))];

/** 'rejected' when `error` is a RampartError with one of `codes`, otherwise a failure. */
export function refusedWith(error: unknown, codes: readonly ErrorCode[]): Verdict {
  if (isRampartError(error) && codes.includes(error.code)) return 'rejected';
  return { failure: `expected ${codes.join(' or ')}, got ${describeError(error)}` };
}

/** A short description of a thrown value for a failure report. */
export function describeError(error: unknown): string {
  if (isRampartError(error)) return `RampartError ${error.code}: ${error.message}`;
  if (error instanceof Error) {
    const frame = error.stack?.split('\n').find((line) => line.trim().startsWith('at ')) ?? '';
    return `${error.name}: ${error.message.slice(0, 200)} ${frame.trim()}`;
  }
  return inspect(error, { depth: 1 }).slice(0, 200);
}

/** A private key made from `prefix` and 32 bytes drawn from `rng`. */
export function seededKey(prefix: Buffer, rng: Rng): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([prefix, rng.bytes(32)]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** The input parsed as JSON, or undefined when it is not JSON. */
export function parseJson(input: Buffer): unknown {
  try {
    return JSON.parse(input.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
