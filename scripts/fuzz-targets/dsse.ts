// Fuzz targets for signed envelopes: DSSE envelopes against their signatures, and the in-toto
// statements inside them against a canonical round trip.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  canonicalBytes,
  IN_TOTO_PAYLOAD_TYPE,
  isDigest,
  localSigner,
  makeStatement,
  parseEnvelope,
  parseStatement,
  sha256,
  signEnvelope,
  statementSubjects,
  verifyEnvelope,
  type Envelope,
  type Statement,
  type VerifiedEnvelope,
} from '../../src/core/index.js';
import type { Rng } from '../../testkit/fuzz-rng.js';
import {
  describeError,
  ED25519_PKCS8,
  GOLDEN,
  GOLDEN_KEYS,
  JSON_MUTATORS,
  parseJson,
  refusedWith,
  seededKey,
  type TargetFactory,
  type Verdict,
} from './target.js';

/** What a verified envelope must match: a signed payload and one of the original signatures. */
interface Signed {
  readonly trusted: readonly (KeyObject | string)[];
  readonly payloads: ReadonlySet<string>;
  readonly signatures: ReadonlySet<string>;
}

function goldenEnvelope(): Envelope {
  const bundle = readFileSync(path.join(GOLDEN, 'v1.0.1-elliptic-key', 'model.sig'), 'utf8');
  return (JSON.parse(bundle) as { dsseEnvelope: Envelope }).dsseEnvelope;
}

function hex(base64: string): string {
  return Buffer.from(base64, 'base64').toString('hex');
}

async function seedEnvelopes(ed: KeyObject, rng: Rng): Promise<Envelope[]> {
  const subjects = [{ name: 'model', digest: sha256(rng.bytes(8)) }];
  const statement = makeStatement({
    subjects,
    predicateType: 'https://example.com/p',
    predicate: {},
  });
  return [
    goldenEnvelope(),
    await signEnvelope(canonicalBytes(statement), IN_TOTO_PAYLOAD_TYPE, [localSigner(ed)]),
    await signEnvelope(rng.bytes(40), 'application/octet-stream', [
      localSigner(ed),
      localSigner(ed),
    ]),
  ];
}

function checkEnvelope(input: Buffer, signed: Signed): Verdict {
  const json = parseJson(input);
  if (json === undefined) return 'rejected';
  const envelope = parseEnvelope(json);
  let verified: VerifiedEnvelope;
  try {
    verified = verifyEnvelope(envelope, signed.trusted);
  } catch (error) {
    return refusedWith(error, ['RAMPART_SIGNATURE_INVALID']);
  }
  if (!signed.payloads.has(`${verified.payloadType}\n${verified.payload.toString('hex')}`)) {
    return { failure: 'an envelope with a modified payload or payload type verified' };
  }
  if (!envelope.signatures.some((s) => signed.signatures.has(hex(s.sig)))) {
    return { failure: 'an envelope with only modified signatures verified' };
  }
  return 'accepted';
}

/** DSSE envelopes: a modified payload, payload type or signature must never verify. */
export const dsse: TargetFactory = async ({ rng }) => {
  const ed = seededKey(ED25519_PKCS8, rng);
  const trusted = [
    createPublicKey(ed),
    readFileSync(path.join(GOLDEN_KEYS, 'signing-key-pub.pem'), 'utf8'),
  ];
  const envelopes = await seedEnvelopes(ed, rng);
  const signed: Signed = {
    trusted,
    payloads: new Set(envelopes.map((e) => `${e.payloadType}\n${hex(e.payload)}`)),
    signatures: new Set(envelopes.flatMap((e) => e.signatures.map((s) => hex(s.sig)))),
  };
  for (const envelope of envelopes) verifyEnvelope(parseEnvelope(envelope), trusted);
  return {
    corpus: envelopes.map((envelope) => Buffer.from(JSON.stringify(envelope))),
    mutators: JSON_MUTATORS,
    check: (input) => checkEnvelope(input, signed),
  };
};

function checkStatement(input: Buffer): Verdict {
  const parsed = parseStatement(input);
  let canonical: Buffer;
  try {
    canonical = canonicalBytes(parsed);
  } catch (error) {
    const refused = refusedWith(error, [
      'RAMPART_JSON_NOT_CANONICALIZABLE',
      'RAMPART_LIMIT_EXCEEDED',
    ]);
    return refused === 'rejected' ? 'accepted' : refused;
  }
  let again: Statement;
  try {
    again = parseStatement(canonical);
  } catch (error) {
    return {
      failure: `the canonical form of an accepted statement is refused: ${describeError(error)}`,
    };
  }
  if (!canonicalBytes(again).equals(canonical)) return { failure: 'round trip changed it' };
  if (!statementSubjects(parsed).every((s) => isDigest(s.digest))) {
    return { failure: 'an accepted statement has a subject without a valid digest' };
  }
  return 'accepted';
}

/** In-toto statements: an accepted statement round trips through its canonical form. */
export const statement: TargetFactory = ({ rng }) => {
  const subjects = [0, 1, 2].map((i) => ({ name: `file-${i}`, digest: sha256(rng.bytes(8)) }));
  const predicate = { serialization: { method: 'files' }, resources: [{ name: 'a' }] };
  const made = makeStatement({
    subjects,
    predicateType: 'https://model_signing/signature/v1.0',
    predicate,
  });
  const golden = Buffer.from(goldenEnvelope().payload, 'base64');
  const corpus = [canonicalBytes(made), Buffer.from(JSON.stringify(made, null, 2)), golden];
  return Promise.resolve({ corpus, mutators: JSON_MUTATORS, check: checkStatement });
};
