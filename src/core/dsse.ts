/**
 * DSSE v1 envelopes (Dead Simple Signing Envelope): sign, parse and verify, as used by
 * in-toto attestations and OpenSSF model signatures.
 */
import type { KeyObject } from 'node:crypto';
import { RampartError } from './errors.js';
import { keyId, toPublicKey, verifySignature } from './keys.js';
import type { PublicKeyLike, Signer } from './keys.js';

/** One signature in an envelope; `keyid` is an unauthenticated hint and may be empty. */
export interface EnvelopeSignature {
  readonly keyid: string;
  /** Base64 of the signature bytes (DER for ECDSA). */
  readonly sig: string;
}

/** A DSSE envelope in its JSON form. */
export interface Envelope {
  /** Base64 of the payload bytes. */
  readonly payload: string;
  readonly payloadType: string;
  readonly signatures: readonly EnvelopeSignature[];
}

/** Limits applied by {@link parseEnvelope}. */
export interface EnvelopeLimits {
  /** Largest decoded payload in bytes; default 64 MiB (a manifest of a million files fits). */
  readonly maxPayloadBytes?: number;
}

/** What a verified envelope says, and which trusted keys vouched for it. */
export interface VerifiedEnvelope {
  readonly payload: Buffer;
  readonly payloadType: string;
  /** Key ids of the trusted keys with a valid signature, each once. */
  readonly keyIds: string[];
}

/** Most signatures an envelope may carry. */
export const MAX_SIGNATURES = 16;
const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;
const MAX_SIGNATURE_BYTES = 1024;
const MAX_TEXT_FIELD = 256;

/** The DSSE v1 pre-authentication encoding: `DSSEv1 <len> <type> <len> <payload>`, lengths in bytes. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  const header = Buffer.from(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `, 'utf8');
  return Buffer.concat([header, payload]);
}

/**
 * Signs `payload` with every signer into one envelope.
 * @throws RAMPART_USAGE without signers or with more than {@link MAX_SIGNATURES}.
 */
export async function signEnvelope(
  payload: Uint8Array,
  payloadType: string,
  signers: readonly Signer[],
): Promise<Envelope> {
  if (signers.length === 0 || signers.length > MAX_SIGNATURES) {
    throw new RampartError(
      'RAMPART_USAGE',
      `an envelope needs 1 to ${MAX_SIGNATURES} signers, got ${signers.length}`,
    );
  }
  const message = pae(payloadType, payload);
  const signatures = await Promise.all(
    signers.map(async (signer) => ({
      keyid: signer.keyId,
      sig: Buffer.from(await signer.sign(message)).toString('base64'),
    })),
  );
  return { payload: Buffer.from(payload).toString('base64'), payloadType, signatures };
}

/**
 * Checks that `json` (a parsed JSON value) is a DSSE envelope within limits. A missing or
 * null `keyid` (model_signing writes null) becomes "".
 * @throws RAMPART_DSSE_MALFORMED naming the bad field.
 */
export function parseEnvelope(json: unknown, limits: EnvelopeLimits = {}): Envelope {
  const record = asRecord(json, 'envelope');
  const payloadType = textField(record.payloadType, 'payloadType');
  const payload = base64Field(
    record.payload,
    'payload',
    limits.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD,
  );
  if (!Array.isArray(record.signatures) || record.signatures.length === 0) {
    throw malformed('signatures must be a non-empty array');
  }
  if (record.signatures.length > MAX_SIGNATURES) {
    throw malformed(`has ${record.signatures.length} signatures, more than ${MAX_SIGNATURES}`);
  }
  const signatures = record.signatures.map((entry: unknown, index): EnvelopeSignature => {
    const signature = asRecord(entry, `signatures[${index}]`);
    const keyid = signature.keyid ?? '';
    return {
      keyid: textField(keyid, `signatures[${index}].keyid`, true),
      sig: base64Field(signature.sig, `signatures[${index}].sig`, MAX_SIGNATURE_BYTES),
    };
  });
  return { payload, payloadType, signatures };
}

/**
 * Verifies an envelope: at least `threshold` distinct trusted keys must each have a valid
 * signature over the PAE. A key counts once however many signatures it made.
 * @throws RAMPART_SIGNATURE_INVALID when fewer keys verify, RAMPART_USAGE for a bad threshold,
 *   RAMPART_KEY_INVALID / RAMPART_KEY_UNSUPPORTED for an unusable trusted key.
 */
export function verifyEnvelope(
  envelope: Envelope,
  trusted: readonly PublicKeyLike[],
  options: { readonly threshold?: number } = {},
): VerifiedEnvelope {
  const threshold = options.threshold ?? 1;
  if (!Number.isSafeInteger(threshold) || threshold < 1) {
    throw new RampartError(
      'RAMPART_USAGE',
      `signature threshold must be a positive integer, got ${threshold}`,
    );
  }
  const payload = Buffer.from(envelope.payload, 'base64');
  const message = pae(envelope.payloadType, payload);
  const signatures = envelope.signatures.map((signature) => Buffer.from(signature.sig, 'base64'));
  const keys = distinctKeys(trusted);
  const keyIds = [...keys]
    .filter(([, key]) => signatures.some((signature) => verifySignature(key, message, signature)))
    .map(([id]) => id);
  if (keyIds.length < threshold) {
    throw new RampartError(
      'RAMPART_SIGNATURE_INVALID',
      `envelope (${envelope.payloadType}) has valid signatures from ${keyIds.length} trusted key(s); ${threshold} required`,
      { details: { verified: keyIds.length, threshold, signatures: signatures.length } },
    );
  }
  return { payload, payloadType: envelope.payloadType, keyIds };
}

function distinctKeys(trusted: readonly PublicKeyLike[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const like of trusted) {
    const key = toPublicKey(like);
    keys.set(keyId(key), key);
  }
  return keys;
}

function asRecord(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(`${name} must be an object`);
  return value as Record<string, unknown>;
}

function textField(value: unknown, name: string, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value === '') || value.length > MAX_TEXT_FIELD) {
    throw malformed(
      `${name} must be a string of ${allowEmpty ? 0 : 1} to ${MAX_TEXT_FIELD} characters`,
    );
  }
  return value;
}

// Standard base64 with padding, or URL-safe base64 without (DSSE allows both); the text must
// be the canonical encoding of its bytes, so one envelope has exactly one spelling.
function base64Field(value: unknown, name: string, maxBytes: number): string {
  if (typeof value !== 'string') throw malformed(`${name} must be a base64 string`);
  if (Math.floor((value.length * 3) / 4) > maxBytes + 2)
    throw malformed(`${name} is larger than ${maxBytes} bytes`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value && bytes.toString('base64url') !== value) {
    throw malformed(`${name} is not canonical base64`);
  }
  if (bytes.length > maxBytes) throw malformed(`${name} is larger than ${maxBytes} bytes`);
  return value;
}

function malformed(reason: string): RampartError {
  return new RampartError('RAMPART_DSSE_MALFORMED', `DSSE envelope: ${reason}`);
}
