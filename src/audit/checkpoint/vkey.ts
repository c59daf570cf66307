/**
 * Ed25519 keys in C2SP signed-note form: the 4-byte key hash and the verifier key text
 * `<name>+<hex key hash>+<base64(0x01 ‖ public key)>`.
 */
import { createHash, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { RampartError, keyAlgorithm, toPublicKey, verifySignature } from '../../core/index.js';
import type { PublicKeyLike } from '../../core/index.js';
import { decodeBase64, isKeyName, malformed } from './text.js';

/** Signature type byte of Ed25519 in signed notes. */
export const ED25519_TYPE = 0x01;
const ED25519_KEY_BYTES = 32;

/** Checks a key in a note or a verifier key; `verify` returns false for a bad signature. */
export interface NoteVerifier {
  readonly name: string;
  /** The key hash as an unsigned 32-bit integer. */
  readonly keyHash: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * Checks a signed-note key name (non-empty, no spaces, no '+').
 * @throws RAMPART_CHECKPOINT_MALFORMED otherwise.
 */
export function checkKeyName(name: string): void {
  if (!isKeyName(name)) {
    throw malformed(`key name ${JSON.stringify(name.slice(0, 80))} is empty or has a space or '+'`);
  }
}

/** The raw 32 bytes of an Ed25519 public key. @throws RAMPART_KEY_UNSUPPORTED for other keys. */
export function ed25519Raw(publicKey: PublicKeyLike): Buffer {
  const key = toPublicKey(publicKey);
  if (keyAlgorithm(key) !== 'ed25519') {
    throw new RampartError('RAMPART_KEY_UNSUPPORTED', 'signed notes use Ed25519 keys', {
      hint: 'Generate the checkpoint key with generateKeyPair("ed25519").',
    });
  }
  const { x } = key.export({ format: 'jwk' });
  return Buffer.from(x ?? '', 'base64url');
}

/** The key hash: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ raw public key), as uint32. */
export function noteKeyHash(name: string, rawPublicKey: Uint8Array): number {
  const digest = createHash('sha256')
    .update(name)
    .update(Buffer.from([0x0a, ED25519_TYPE]))
    .update(rawPublicKey)
    .digest();
  return digest.readUInt32BE(0);
}

/**
 * The verifier key text of an Ed25519 public key under `name`.
 * @throws RAMPART_CHECKPOINT_MALFORMED for a bad name; RAMPART_KEY_UNSUPPORTED for non-Ed25519.
 */
export function verifierKey(name: string, publicKey: PublicKeyLike): string {
  checkKeyName(name);
  const raw = ed25519Raw(publicKey);
  const hash = noteKeyHash(name, raw).toString(16).padStart(8, '0');
  return `${name}+${hash}+${Buffer.concat([Buffer.from([ED25519_TYPE]), raw]).toString('base64')}`;
}

/**
 * Parses verifier key text into a NoteVerifier.
 * @throws RAMPART_CHECKPOINT_MALFORMED for bad syntax or a key hash that does not match;
 * RAMPART_KEY_UNSUPPORTED for a signature type other than Ed25519.
 */
export function parseVerifierKey(vkey: string): NoteVerifier {
  // The base64 part may itself contain '+', so split at the first two only.
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  const hashText = vkey.slice(first + 1, second);
  const material = decodeBase64(vkey.slice(second + 1));
  if (first < 1 || second < 0 || !/^[0-9a-f]{8}$/.test(hashText) || material === undefined) {
    throw malformed('verifier key is not <name>+<8 hex digits>+<base64 key>');
  }
  const name = vkey.slice(0, first);
  checkKeyName(name);
  if (material[0] !== ED25519_TYPE) {
    throw new RampartError(
      'RAMPART_KEY_UNSUPPORTED',
      `verifier key ${name} is not of type Ed25519`,
    );
  }
  const raw = material.subarray(1);
  if (raw.length !== ED25519_KEY_BYTES) throw malformed(`verifier key ${name} is not 32 bytes`);
  const keyHash = noteKeyHash(name, raw);
  if (keyHash !== Number.parseInt(hashText, 16)) {
    throw malformed(`verifier key ${name}: key hash ${hashText} does not match the key`);
  }
  return ed25519Verifier(name, keyHash, raw);
}

function ed25519Verifier(name: string, keyHash: number, raw: Buffer): NoteVerifier {
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
  } catch (error) {
    throw new RampartError('RAMPART_KEY_INVALID', `verifier key ${name} is not an Ed25519 key`, {
      cause: error,
    });
  }
  return Object.freeze({
    name,
    keyHash,
    verify: (message: Uint8Array, signature: Uint8Array) =>
      signature.length === 64 && verifySignature(key, message, signature),
  });
}
