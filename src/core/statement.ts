/**
 * in-toto Statement v1: the signed claim "these subjects (by digest) have this predicate",
 * carried in a DSSE envelope.
 */
import { canonicalBytes } from './canonical-json.js';
import { isDigest } from './digest.js';
import type { Digest } from './digest.js';
import { signEnvelope, verifyEnvelope } from './dsse.js';
import type { Envelope } from './dsse.js';
import { RampartError } from './errors.js';
import type { PublicKeyLike, Signer } from './keys.js';

/** The `_type` of an in-toto Statement v1. */
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

/** The DSSE payload type of in-toto statements. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** A subject as callers name it: a name and its digest. */
export interface Subject {
  readonly name: string;
  readonly digest: Digest;
}

/** A subject in statement JSON: `digest` maps algorithm names to lowercase hex. */
export interface StatementSubject {
  readonly name: string;
  readonly digest: Readonly<Record<string, string>> & { readonly sha256: string };
}

/** An in-toto Statement v1 in its JSON form. */
export interface Statement {
  readonly _type: typeof STATEMENT_TYPE;
  readonly subject: readonly StatementSubject[];
  readonly predicateType: string;
  readonly predicate: Readonly<Record<string, unknown>>;
}

/** What a statement is made from. */
export interface StatementInput {
  readonly subjects: readonly Subject[];
  readonly predicateType: string;
  readonly predicate: Readonly<Record<string, unknown>>;
}

const MAX_SUBJECTS = 100_000;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Builds a statement about `subjects`.
 * @throws RAMPART_DSSE_MALFORMED without subjects, with a bad digest or an empty predicate type.
 */
export function makeStatement(input: StatementInput): Statement {
  const subject = input.subjects.map((entry, index) => {
    if (!isDigest(entry.digest)) throw malformed(`subject[${index}] digest is not sha256:<hex>`);
    return { name: entry.name, digest: { sha256: entry.digest.slice('sha256:'.length) } };
  });
  return checkStatement({
    _type: STATEMENT_TYPE,
    subject,
    predicateType: input.predicateType,
    predicate: input.predicate,
  });
}

/** The subjects of a statement as name and `sha256:` digest. */
export function statementSubjects(statement: Statement): Subject[] {
  return statement.subject.map((entry) => ({
    name: entry.name,
    digest: `sha256:${entry.digest.sha256}`,
  }));
}

/**
 * Parses statement bytes (UTF-8 JSON) and checks the in-toto v1 shape; unknown fields are kept.
 * @throws RAMPART_DSSE_MALFORMED naming the bad field.
 */
export function parseStatement(bytes: Uint8Array): Statement {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new RampartError('RAMPART_DSSE_MALFORMED', 'in-toto statement: not UTF-8 JSON', {
      cause: error,
    });
  }
  return checkStatement(json);
}

/**
 * Signs a statement (as RFC 8785 canonical JSON) into a DSSE envelope.
 * @throws as {@link signEnvelope} and {@link canonicalBytes}.
 */
export function signStatement(statement: Statement, signers: readonly Signer[]): Promise<Envelope> {
  return signEnvelope(canonicalBytes(statement), IN_TOTO_PAYLOAD_TYPE, signers);
}

/**
 * Verifies an envelope with the trusted keys and returns its statement and signing key ids.
 * @throws RAMPART_SIGNATURE_INVALID, RAMPART_DSSE_MALFORMED (wrong payload type or bad statement).
 */
export function verifyStatement(
  envelope: Envelope,
  trusted: readonly PublicKeyLike[],
  options: { readonly threshold?: number } = {},
): { statement: Statement; keyIds: string[] } {
  const verified = verifyEnvelope(envelope, trusted, options);
  if (verified.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw malformed(
      `payload type is ${JSON.stringify(verified.payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`,
    );
  }
  return { statement: parseStatement(verified.payload), keyIds: verified.keyIds };
}

function checkStatement(json: unknown): Statement {
  if (!isRecord(json)) throw malformed('must be a JSON object');
  if (json._type !== STATEMENT_TYPE) throw malformed(`_type must be ${STATEMENT_TYPE}`);
  const subjects = json.subject;
  if (!Array.isArray(subjects) || subjects.length === 0 || subjects.length > MAX_SUBJECTS) {
    throw malformed(`subject must be an array of 1 to ${MAX_SUBJECTS} entries`);
  }
  subjects.forEach(checkSubject);
  if (typeof json.predicateType !== 'string' || json.predicateType === '') {
    throw malformed('predicateType must be a non-empty string');
  }
  const predicate = json.predicate ?? {};
  if (!isRecord(predicate)) throw malformed('predicate must be an object');
  return { ...json, predicate } as unknown as Statement;
}

function checkSubject(entry: unknown, index: number): void {
  if (!isRecord(entry) || typeof entry.name !== 'string')
    throw malformed(`subject[${index}] needs a string name`);
  const digest = entry.digest;
  if (!isRecord(digest) || typeof digest.sha256 !== 'string' || !SHA256_HEX.test(digest.sha256)) {
    throw malformed(`subject[${index}] needs a sha256 digest of 64 lowercase hex digits`);
  }
  for (const [algorithm, value] of Object.entries(digest)) {
    if (typeof value !== 'string')
      throw malformed(`subject[${index}] digest ${algorithm} must be a string`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(reason: string): RampartError {
  return new RampartError('RAMPART_DSSE_MALFORMED', `in-toto statement: ${reason}`);
}
