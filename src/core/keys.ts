/**
 * Signing keys: generation, PEM files, key ids compatible with OpenSSF model signing, and the
 * Signer interface that DSSE signing goes through.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { writeFileAtomic } from './atomic-write.js';
import { RampartError, fileError, isRampartError } from './errors.js';
import { readSmallFile } from './files.js';

/** Algorithms Rampart generates keys for. */
export type KeyAlgorithm = 'ecdsa-p256' | 'ed25519';

/** Algorithms Rampart signs and verifies with (P-384 for keys made by other tools). */
export type SignatureAlgorithm = KeyAlgorithm | 'ecdsa-p384';

/** A public key object, or its PEM text. */
export type PublicKeyLike = KeyObject | string;

/** A freshly generated key pair. */
export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** Something that signs bytes: a local key today, a KMS or HSM later. */
export interface Signer {
  /** {@link keyId} of the matching public key. */
  readonly keyId: string;
  readonly algorithm: SignatureAlgorithm;
  /** Signs `data` (ECDSA: DER signature over the curve's hash; Ed25519: pure). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

const MAX_KEY_FILE = 64 * 1024;
const PEM_LABEL = /-----BEGIN ([A-Z0-9 ]+)-----/;

/** Generates a key pair: ECDSA on P-256 or Ed25519. @throws RAMPART_KEY_UNSUPPORTED otherwise. */
export function generateKeyPair(algorithm: KeyAlgorithm): KeyPair {
  switch (algorithm) {
    case 'ecdsa-p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ed25519':
      return generateKeyPairSync('ed25519');
    default:
      throw new RampartError(
        'RAMPART_KEY_UNSUPPORTED',
        `cannot generate keys of type ${String(algorithm)}`,
      );
  }
}

/**
 * The signature algorithm of a key (public or private).
 * @throws RAMPART_KEY_UNSUPPORTED for RSA, other curves and anything else.
 */
export function keyAlgorithm(key: KeyObject): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ecdsa-p256';
    if (curve === 'secp384r1') return 'ecdsa-p384';
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const kind = `${key.asymmetricKeyType ?? 'unknown'}${curve === undefined ? '' : ` ${curve}`}`;
  throw new RampartError('RAMPART_KEY_UNSUPPORTED', `unsupported key type ${kind}`, {
    details: { keyType: kind },
  });
}

/** The hash ECDSA uses with this algorithm (it follows the curve); null for Ed25519. */
export function signatureHash(algorithm: SignatureAlgorithm): 'sha256' | 'sha384' | null {
  switch (algorithm) {
    case 'ecdsa-p256':
      return 'sha256';
    case 'ecdsa-p384':
      return 'sha384';
    case 'ed25519':
      return null;
  }
}

/** The public key of `like` (PEM text, a public key, or a private key whose public half is taken). */
export function toPublicKey(like: PublicKeyLike): KeyObject {
  if (typeof like !== 'string') return like.type === 'private' ? createPublicKey(like) : like;
  return parsePublicPem(like);
}

/**
 * The key id: lowercase hex SHA-256 of the SPKI PEM text, the same value as model_signing's
 * `publicKey.hint`.
 * @throws RAMPART_KEY_INVALID for a secret key.
 */
export function keyId(key: PublicKeyLike): string {
  const publicKey = toPublicKey(key);
  if (publicKey.type !== 'public')
    throw new RampartError('RAMPART_KEY_INVALID', 'a key id needs a public key');
  const pem = publicKey.export({ type: 'spki', format: 'pem' });
  return createHash('sha256').update(pem).digest('hex');
}

/**
 * Verifies `signature` over `data` with `key`; false for a wrong or malformed signature.
 * @throws RAMPART_KEY_UNSUPPORTED for a key of an unsupported type.
 */
export function verifySignature(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const hash = signatureHash(keyAlgorithm(key));
  try {
    return verify(hash, data, key, signature);
  } catch {
    // OpenSSL throws on some malformed DER encodings; for the caller that is just a bad signature.
    return false;
  }
}

/** A Signer backed by a private key held in this process. @throws RAMPART_KEY_INVALID, RAMPART_KEY_UNSUPPORTED. */
export function localSigner(privateKey: KeyObject): Signer {
  if (privateKey.type !== 'private') {
    throw new RampartError('RAMPART_KEY_INVALID', 'a signer needs a private key');
  }
  const algorithm = keyAlgorithm(privateKey);
  const hash = signatureHash(algorithm);
  return {
    keyId: keyId(privateKey),
    algorithm,
    sign: (data) =>
      new Promise((resolve, reject) => {
        const done = (error: Error | null, signature?: Buffer): void => {
          if (error === null) resolve(signature as Buffer);
          else reject(new RampartError('RAMPART_INTERNAL', 'signing failed', { cause: error }));
        };
        // An Ed25519 signature takes ~45 µs, less than a thread-pool round trip (~125 µs), so it
        // is made in place; RSA and ECDSA signatures go to the thread pool.
        if (algorithm !== 'ed25519') {
          sign(hash, data, privateKey, done);
          return;
        }
        try {
          done(null, sign(hash, data, privateKey));
        } catch (error) {
          done(error as Error);
        }
      }),
  };
}

/**
 * Writes a private key as PKCS#8 PEM with mode 0600, atomically, never over an existing file.
 * @throws RAMPART_STORE_CONFLICT when `path` exists, RAMPART_KEY_INVALID for a non-private key,
 *   file errors otherwise.
 */
export async function savePrivateKey(path: string, key: KeyObject): Promise<void> {
  if (key.type !== 'private')
    throw new RampartError(
      'RAMPART_KEY_INVALID',
      `${path}: refusing to save a non-private key as a private key`,
    );
  keyAlgorithm(key);
  await writeFileAtomic(path, key.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
    exclusive: true,
  });
}

/**
 * Writes a public key as SPKI PEM (mode 0644), atomically replacing any existing file.
 * @throws RAMPART_KEY_INVALID for a secret key, file errors otherwise.
 */
export async function savePublicKey(path: string, key: PublicKeyLike): Promise<void> {
  const publicKey = toPublicKey(key);
  keyAlgorithm(publicKey);
  await writeFileAtomic(path, publicKey.export({ type: 'spki', format: 'pem' }), {
    mode: 0o644,
    exclusive: false,
  });
}

/**
 * Reads a PEM private key (PKCS#8, or SEC1 `EC PRIVATE KEY`); text around the PEM block is ignored.
 * @throws RAMPART_KEY_NOT_FOUND, RAMPART_KEY_INVALID (garbage, encrypted, or a public key),
 *   RAMPART_KEY_UNSUPPORTED (e.g. RSA or P-521).
 */
export async function loadPrivateKey(path: string): Promise<KeyObject> {
  const text = await readKeyFile(path);
  const label = pemLabel(text, path);
  if (label === 'ENCRYPTED PRIVATE KEY')
    throw invalidKey(path, 'is encrypted; Rampart reads only unencrypted keys');
  if (label !== 'PRIVATE KEY' && label !== 'EC PRIVATE KEY')
    throw invalidKey(path, `holds a ${label}, not a private key`);
  let key: KeyObject;
  try {
    key = createPrivateKey(text.slice(text.indexOf('-----BEGIN')));
    // Re-encoding throws for keys OpenSSL parses but cannot use (e.g. an EC key on an exotic
    // curve), which would otherwise abort the whole process in asymmetricKeyDetails (fuzzer find).
    key.export({ type: 'pkcs8', format: 'der' });
  } catch (error) {
    throw invalidKey(path, 'is not a valid PEM private key', error);
  }
  keyAlgorithmAt(key, path);
  return key;
}

/**
 * Reads a PEM public key (SPKI `PUBLIC KEY`); text around the PEM block is ignored.
 * @throws RAMPART_KEY_NOT_FOUND, RAMPART_KEY_INVALID (garbage or a private key),
 *   RAMPART_KEY_UNSUPPORTED (e.g. RSA or P-521).
 */
export async function loadPublicKey(path: string): Promise<KeyObject> {
  const key = parsePublicPem(await readKeyFile(path), path);
  keyAlgorithmAt(key, path);
  return key;
}

function parsePublicPem(text: string, path?: string): KeyObject {
  const label = pemLabel(text, path);
  if (label !== 'PUBLIC KEY') throw invalidKey(path, `holds a ${label}, not a public key`);
  try {
    const key = createPublicKey(text.slice(text.indexOf('-----BEGIN')));
    // As for private keys: fail here on keys that would abort the process later.
    key.export({ type: 'spki', format: 'der' });
    return key;
  } catch (error) {
    throw invalidKey(path, 'is not a valid PEM public key', error);
  }
}

function keyAlgorithmAt(key: KeyObject, path: string): void {
  try {
    keyAlgorithm(key);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new RampartError('RAMPART_KEY_UNSUPPORTED', `${path}: ${message}`, {
      cause: error,
      details: { path },
    });
  }
}

async function readKeyFile(path: string): Promise<string> {
  try {
    return (await readSmallFile(path, MAX_KEY_FILE)).toString('utf8');
  } catch (error) {
    throw keyFileError(error, path);
  }
}

/**
 * Maps the errors of reading a key file: missing → RAMPART_KEY_NOT_FOUND; not a regular file or
 * too large → RAMPART_KEY_INVALID; anything else unchanged.
 */
export function keyFileError(error: unknown, path: string): RampartError {
  if (isRampartError(error, 'RAMPART_FILE_NOT_FOUND')) {
    return new RampartError('RAMPART_KEY_NOT_FOUND', `${path}: no such key file`, {
      cause: error,
      details: { path },
    });
  }
  if (
    isRampartError(error, 'RAMPART_FILE_TYPE_UNSUPPORTED') ||
    isRampartError(error, 'RAMPART_LIMIT_EXCEEDED')
  ) {
    return invalidKey(path, `is not a key file (${error.message})`, error);
  }
  return fileError(error, path);
}

function pemLabel(text: string, path: string | undefined): string {
  const label = PEM_LABEL.exec(text)?.[1];
  if (label === undefined) throw invalidKey(path, 'holds no PEM block');
  return label;
}

/** A RAMPART_KEY_INVALID naming the key file, or "the key text" for PEM passed in memory. */
function invalidKey(path: string | undefined, reason: string, cause?: unknown): RampartError {
  return new RampartError('RAMPART_KEY_INVALID', `${path ?? 'the key text'} ${reason}`, {
    ...(cause === undefined ? {} : { cause }),
    details: path === undefined ? {} : { path },
  });
}
