/**
 * The OpenSSF model-signing v1.0 file format: a Sigstore bundle v0.3 holding a DSSE envelope
 * whose payload is an in-toto Statement v1 with the `https://model_signing/signature/v1.0`
 * predicate. Parsing is strict about what it uses and ignores unknown fields.
 */
import {
  IN_TOTO_PAYLOAD_TYPE,
  RampartError,
  STATEMENT_TYPE,
  parseEnvelope,
} from '../core/index.js';
import type { Envelope } from '../core/index.js';
import { rootDigestOf } from './manifest.js';
import type { Resource, Serialization } from './manifest.js';

/** The bundle media type model_signing writes for every method. */
export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** The OMS v1.0 predicate type. */
export const PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
const LEGACY_PREDICATE = 'https://model_signing/Digests/v0.1';
/** Most resources a signature may list (a million files, or 4 TB in 1 GB shards, fit). */
export const MAX_RESOURCES = 4_000_000;
const MAX_CERTIFICATES = 10;
const MAX_NAME = 4096;
const HEX = /^[0-9a-f]{64}$/;

/** How the bundle says it should be verified. */
export type Material =
  | { readonly kind: 'key'; readonly hint?: string; readonly rawPem?: string }
  | { readonly kind: 'certificate'; readonly chain: Buffer[] }
  | { readonly kind: 'sigstore' };

/** Rampart's extra predicate field (v1.0 verifiers ignore unknown predicate fields). */
export interface RampartExtra {
  /** Every signed file and its size, empty files included (`shards` lists no shard for them). */
  readonly files: { readonly name: string; readonly size: number }[];
  /** Files present under ignored paths at signing time (not covered by the digests). */
  readonly ignoredFiles: string[];
}

/** A parsed model signature: its envelope, material and statement. */
export interface ModelSignature {
  readonly envelope: Envelope;
  readonly material: Material;
  readonly payload: Buffer;
  readonly subjectName: string;
  /** Hex root digest of the subject. */
  readonly rootDigest: string;
  readonly serialization: Serialization;
  readonly allowSymlinks: boolean;
  readonly ignorePaths: string[];
  readonly resources: Resource[];
  readonly extra?: RampartExtra;
}

/** The statement to sign: one subject (the model name and root digest), resources, extras. */
export function buildStatement(
  name: string,
  serialization: Serialization,
  ignorePaths: readonly string[],
  allowSymlinks: boolean,
  resources: readonly Resource[],
  extra: RampartExtra,
): Record<string, unknown> {
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name, digest: { sha256: rootDigestOf(resources) } }],
    predicateType: PREDICATE_TYPE,
    predicate: {
      serialization: {
        method: serialization.method,
        hash_type: 'sha256',
        allow_symlinks: allowSymlinks,
        ...(serialization.method === 'shards' ? { shard_size: serialization.shardSize } : {}),
        ignore_paths: [...ignorePaths],
      },
      resources,
      rampart: extra,
    },
  };
}

/** The bundle JSON object around a signed envelope. */
export function buildBundle(
  envelope: Envelope,
  material: { hint: string } | { chain: readonly Buffer[] },
): Record<string, unknown> {
  const verificationMaterial =
    'hint' in material
      ? { publicKey: { hint: material.hint }, tlogEntries: [] }
      : {
          x509CertificateChain: {
            certificates: material.chain.map((der) => ({ rawBytes: der.toString('base64') })),
          },
          tlogEntries: [],
        };
  return { mediaType: BUNDLE_MEDIA_TYPE, verificationMaterial, dsseEnvelope: envelope };
}

/**
 * Parses the text of a model signature file.
 * @throws RAMPART_MODEL_SIGNATURE_MALFORMED naming the bad field, RAMPART_MODEL_SIGNATURE_UNSUPPORTED
 *   for another media type, predicate or hash, RAMPART_DSSE_MALFORMED for a bad envelope.
 */
export function parseModelSignature(text: string, where: string): ModelSignature {
  const bad = (problem: string): RampartError =>
    new RampartError('RAMPART_MODEL_SIGNATURE_MALFORMED', `${where}: ${problem}`, {
      details: { path: where },
    });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw bad(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const bundle = record(json, 'the bundle', bad);
  if (bundle.mediaType !== BUNDLE_MEDIA_TYPE) {
    throw unsupported(
      where,
      `media type ${JSON.stringify(bundle.mediaType)} is not ${BUNDLE_MEDIA_TYPE}`,
    );
  }
  const envelope = parseEnvelope(record(bundle.dsseEnvelope, 'dsseEnvelope', bad));
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw unsupported(where, `payload type ${envelope.payloadType} is not ${IN_TOTO_PAYLOAD_TYPE}`);
  }
  const material = parseMaterial(
    record(bundle.verificationMaterial, 'verificationMaterial', bad),
    bad,
  );
  const payload = Buffer.from(envelope.payload, 'base64');
  let statementJson: unknown;
  try {
    statementJson = JSON.parse(payload.toString('utf8'));
  } catch {
    throw bad('the DSSE payload is not JSON');
  }
  const statement = record(statementJson, 'the statement', bad);
  if (statement._type !== STATEMENT_TYPE) throw bad(`statement _type is not ${STATEMENT_TYPE}`);
  if (statement.predicateType === LEGACY_PREDICATE) {
    throw unsupported(
      where,
      'is a legacy model_signing v0.2 signature (predicate Digests/v0.1), which Rampart does not accept',
    );
  }
  if (statement.predicateType !== PREDICATE_TYPE) {
    throw unsupported(where, `unknown predicate type ${JSON.stringify(statement.predicateType)}`);
  }
  const subjects = statement.subject;
  if (!Array.isArray(subjects) || subjects.length !== 1)
    throw bad('the statement needs exactly one subject');
  const subject = record(subjects[0], 'subject', bad);
  const rootDigest = record(subject.digest, 'subject.digest', bad).sha256;
  if (typeof rootDigest !== 'string' || !HEX.test(rootDigest))
    throw bad('subject digest is not sha256 hex');
  const predicate = record(statement.predicate, 'predicate', bad);
  const serial = record(predicate.serialization, 'predicate.serialization', bad);
  const serialization = parseSerialization(serial, where, bad);
  const resources = parseResources(predicate.resources, bad);
  if (rootDigestOf(resources) !== rootDigest) {
    throw bad('the subject digest does not match the listed resources');
  }
  const extra = parseExtra(predicate.rampart, bad);
  return {
    envelope,
    material,
    payload,
    subjectName: typeof subject.name === 'string' ? subject.name : '',
    rootDigest,
    serialization,
    allowSymlinks: serial.allow_symlinks === true,
    ignorePaths: stringList(serial.ignore_paths ?? [], 'ignore_paths', bad),
    resources,
    ...(extra === undefined ? {} : { extra }),
  };
}

type Bad = (problem: string) => RampartError;

function parseMaterial(material: Record<string, unknown>, bad: Bad): Material {
  if (material.publicKey !== undefined) {
    const key = record(material.publicKey, 'publicKey', bad);
    const hint = key.hint;
    if (hint !== undefined && (typeof hint !== 'string' || !HEX.test(hint))) {
      throw bad('publicKey.hint is not a hex SHA-256');
    }
    const raw = key.rawBytes;
    if (raw !== undefined && typeof raw !== 'string') throw bad('publicKey.rawBytes is not base64');
    return {
      kind: 'key',
      ...(hint === undefined ? {} : { hint }),
      ...(raw === undefined ? {} : { rawPem: Buffer.from(raw, 'base64').toString('utf8') }),
    };
  }
  if (material.x509CertificateChain !== undefined) {
    const chain = record(material.x509CertificateChain, 'x509CertificateChain', bad).certificates;
    if (!Array.isArray(chain) || chain.length === 0 || chain.length > MAX_CERTIFICATES) {
      throw bad(`x509CertificateChain needs 1 to ${MAX_CERTIFICATES} certificates`);
    }
    return {
      kind: 'certificate',
      chain: chain.map((entry: unknown) => {
        const raw = record(entry, 'certificate', bad).rawBytes;
        if (typeof raw !== 'string' || raw.length === 0) throw bad('a certificate has no rawBytes');
        return Buffer.from(raw, 'base64');
      }),
    };
  }
  if (material.certificate !== undefined) return { kind: 'sigstore' };
  throw bad('verificationMaterial has no publicKey, x509CertificateChain or certificate');
}

function parseSerialization(
  serial: Record<string, unknown>,
  where: string,
  bad: Bad,
): Serialization {
  if (serial.hash_type !== 'sha256') {
    throw unsupported(where, `hash ${JSON.stringify(serial.hash_type)} (Rampart verifies sha256)`);
  }
  if (serial.method === 'files') return { method: 'files', shardSize: 0 };
  if (serial.method !== 'shards')
    throw unsupported(where, `method ${JSON.stringify(serial.method)}`);
  // protobuf JSON may write the shard size as a double (1000000000.0): any whole number goes.
  const size = serial.shard_size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1) {
    throw bad('shard_size is not a positive whole number');
  }
  return { method: 'shards', shardSize: size };
}

function parseResources(value: unknown, bad: Bad): Resource[] {
  if (!Array.isArray(value)) throw bad('predicate.resources is not a list');
  if (value.length > MAX_RESOURCES) throw bad(`more than ${MAX_RESOURCES} resources`);
  return value.map((entry: unknown) => {
    const resource = record(entry, 'resource', bad);
    const { name, algorithm, digest } = resource;
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME)
      throw bad('a resource has a bad name');
    if (typeof algorithm !== 'string') throw bad(`resource ${name} has no algorithm`);
    if (typeof digest !== 'string' || !HEX.test(digest))
      throw bad(`resource ${name}: digest is not sha256 hex`);
    return { name, algorithm, digest };
  });
}

function parseExtra(value: unknown, bad: Bad): RampartExtra | undefined {
  if (value === undefined) return undefined;
  const extra = record(value, 'predicate.rampart', bad);
  if (!Array.isArray(extra.files) || extra.files.length > MAX_RESOURCES)
    throw bad('predicate.rampart.files is not a list');
  const files = extra.files.map((entry: unknown) => {
    const file = record(entry, 'predicate.rampart.files[]', bad);
    if (
      typeof file.name !== 'string' ||
      !Number.isSafeInteger(file.size) ||
      (file.size as number) < 0
    ) {
      throw bad('predicate.rampart.files has a bad entry');
    }
    return { name: file.name, size: file.size as number };
  });
  return {
    files,
    ignoredFiles: stringList(extra.ignoredFiles ?? [], 'predicate.rampart.ignoredFiles', bad),
  };
}

function stringList(value: unknown, what: string, bad: Bad): string[] {
  if (
    !Array.isArray(value) ||
    value.length > MAX_RESOURCES ||
    !value.every((v) => typeof v === 'string')
  ) {
    throw bad(`${what} is not a list of strings`);
  }
  return value;
}

function record(value: unknown, what: string, bad: Bad): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function unsupported(where: string, problem: string): RampartError {
  return new RampartError('RAMPART_MODEL_SIGNATURE_UNSUPPORTED', `${where}: ${problem}`, {
    details: { path: where },
  });
}
