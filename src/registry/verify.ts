/**
 * `verifyModel`: check an OMS v1.0 signature (key or certificate method) and that the model
 * files match it; keyless Sigstore bundles get an offline digest check and never succeed.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import {
  DEFAULT_IGNORE_PATHS,
  HashPool,
  RampartError,
  isRampartError,
  keyAlgorithm,
  keyId,
  normaliseIgnorePaths,
  pae,
  readSmallFile,
  toPublicKey,
  verifySignature,
  VerifyCache,
} from '../core/index.js';
import { parseModelSignature } from './bundle.js';
import type { ModelSignature } from './bundle.js';
import { verifyChain } from './certificates.js';
import { hashModel } from './manifest.js';
import { resolveTarget } from './target.js';
import type { ModelTarget } from './target.js';
import { compareFiles, compareResources } from './compare.js';
import type { Differences } from './compare.js';
import { walkModel } from './walk.js';

/** Options for {@link verifyModel}. */
export interface VerifyOptions {
  /** Key method: the signer's public key. */
  readonly publicKey?: KeyObject;
  /** Certificate method: trusted root certificates. */
  readonly roots?: readonly X509Certificate[];
  readonly signaturePath?: string;
  readonly ignorePaths?: readonly string[];
  readonly allowSymlinks?: boolean;
  /** Fail on files under ignored paths that were not there at signing time. */
  readonly checkIgnored?: boolean;
  /** Folder of the incremental cache; without it nothing is cached. */
  readonly cacheFolder?: string;
  /** False (`--no-cache`): rehash everything (fresh digests are still saved). */
  readonly readCache?: boolean;
  readonly pool?: HashPool;
  readonly maxFiles?: number;
}

/** The outcome of a verification that got as far as comparing files. */
export interface VerifyResult extends Differences {
  /** True only when the signature verified and every file matched. */
  readonly ok: boolean;
  readonly signaturePath: string;
  /** `sha256:<hex>` root digest the signature names. */
  readonly digest: string;
  readonly method: string;
  readonly signer: { readonly kind: 'key' | 'certificate' | 'sigstore'; readonly id: string };
  readonly fileCount: number;
  readonly totalSize: number;
  /** Files answered from the incremental cache. */
  readonly cacheHits: number;
}

const MAX_SIGNATURE_FILE = 256 * 1024 * 1024;

/**
 * Verifies the model at `modelPath` against its signature.
 * @throws RAMPART_SIGNATURE_INVALID, RAMPART_MODEL_KEY_MISMATCH, RAMPART_MODEL_CERTIFICATE_INVALID
 *   (exit 1); RAMPART_MODEL_TRUST_ROOT_MISSING for a keyless bundle whose digests match (exit 1);
 *   RAMPART_MODEL_SIGNATURE_MALFORMED / _UNSUPPORTED, RAMPART_KEY_*, file errors (exit 2).
 */
export async function verifyModel(
  modelPath: string,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const target = await resolveTarget(modelPath, options.signaturePath);
  const text = (await readSmallFile(target.signaturePath, MAX_SIGNATURE_FILE)).toString('utf8');
  const signature = parseModelSignature(text, target.signaturePath);
  const signer =
    signature.material.kind === 'sigstore' ? undefined : checkSignature(signature, options);
  const result = await compareModel(target, signature, options);
  if (signer === undefined) {
    if (!result.ok) return { ...result, signer: { kind: 'sigstore', id: '' } };
    throw new RampartError(
      'RAMPART_MODEL_TRUST_ROOT_MISSING',
      `${target.signaturePath}: keyless Sigstore signature; no Sigstore trust root is configured, so the signature itself was NOT verified (the payload digests match the ${result.fileCount} model files)`,
      { details: { path: target.signaturePath, digest: result.digest } },
    );
  }
  return { ...result, signer };
}

function checkSignature(
  signature: ModelSignature,
  options: VerifyOptions,
): { kind: 'key' | 'certificate'; id: string } {
  const { material } = signature;
  if (material.kind === 'key') {
    if (options.publicKey === undefined) throw needs('a public key', '--key <public.pem>');
    const key = ecKey(options.publicKey);
    const id = keyId(key);
    const expected =
      material.hint ?? (material.rawPem === undefined ? undefined : pemKeyId(material.rawPem));
    if (expected !== undefined && expected !== id) {
      throw new RampartError(
        'RAMPART_MODEL_KEY_MISMATCH',
        `the model was signed by key ${expected}, not by the given key ${id}`,
        { details: { expected, given: id } },
      );
    }
    checkEnvelope(signature, key);
    return { kind: 'key', id };
  }
  if (material.kind !== 'certificate')
    throw new RampartError('RAMPART_INTERNAL', 'unexpected material');
  if (options.roots === undefined)
    throw needs('a trusted root certificate', '--certificate-chain <ca.pem>');
  const leafKey = ecKey(verifyChain(material.chain, options.roots));
  checkEnvelope(signature, leafKey);
  return { kind: 'certificate', id: keyId(leafKey) };
}

/**
 * Checks that the signature's DSSE envelope verifies with `key`.
 * @throws RAMPART_SIGNATURE_INVALID
 */
export function checkEnvelope(signature: ModelSignature, key: KeyObject): void {
  const { envelope, payload } = signature;
  const sigs = envelope.signatures.map((entry) => Buffer.from(entry.sig, 'base64'));
  if (sigs.some((sig) => verifySignature(key, pae(envelope.payloadType, payload), sig))) return;
  throw new RampartError(
    'RAMPART_SIGNATURE_INVALID',
    'the model signature does not verify with the given key',
  );
}

async function compareModel(
  target: ModelTarget,
  signature: ModelSignature,
  options: VerifyOptions,
): Promise<Omit<VerifyResult, 'signer'>> {
  const ignorePaths = target.isFile ? [] : signedIgnorePaths(target, signature, options);
  const walk = await walkModel(target.root, {
    ignorePaths,
    allowSymlinks: options.allowSymlinks ?? false,
    collectIgnored: options.checkIgnored ?? false,
    maxFiles: options.maxFiles ?? 1_000_000,
  });
  const base = {
    signaturePath: target.signaturePath,
    digest: `sha256:${signature.rootDigest}`,
    method: signature.serialization.method,
    fileCount: walk.files.length,
    totalSize: walk.files.reduce((total, file) => total + file.size, 0),
  };
  const known = new Set(signature.extra?.ignoredFiles ?? []);
  const addedIgnored =
    (options.checkIgnored ?? false)
      ? walk.ignoredFiles.filter((name) => name !== target.signatureInside && !known.has(name))
      : [];
  // The recorded sizes are a cheap pre-check: a difference found by stat needs no hashing.
  if (signature.extra !== undefined) {
    const early = compareFiles(signature.extra.files, walk.files);
    if (early.changed.length + early.added.length + early.missing.length > 0) {
      return { ...base, ...early, addedIgnored, ok: false, cacheHits: 0 };
    }
  }
  const cache =
    options.cacheFolder === undefined
      ? undefined
      : await VerifyCache.open(options.cacheFolder, target.root, options.readCache ?? true);
  const pool = options.pool ?? new HashPool();
  let manifest;
  try {
    manifest = await hashModel(walk.files, signature.serialization, pool, cache);
  } finally {
    if (options.pool === undefined) await pool.close();
  }
  await cache?.save(target.root);
  const diff = compareResources(signature.resources, manifest.resources);
  const extraDiff =
    signature.extra === undefined ? undefined : compareFiles(signature.extra.files, walk.files);
  const merged = {
    changed: diff.changed,
    added: unique([...diff.added, ...(extraDiff?.added ?? [])]),
    missing: unique([...diff.missing, ...(extraDiff?.missing ?? [])]),
  };
  const clean =
    merged.changed.length + merged.added.length + merged.missing.length + addedIgnored.length === 0;
  return { ...base, ...merged, addedIgnored, ok: clean, cacheHits: cache?.hits ?? 0 };
}

function signedIgnorePaths(
  target: ModelTarget,
  signature: ModelSignature,
  options: VerifyOptions,
): string[] {
  try {
    return normaliseIgnorePaths(target.root, [
      ...DEFAULT_IGNORE_PATHS,
      ...signature.ignorePaths,
      ...(options.ignorePaths ?? []),
      ...(target.signatureInside === undefined ? [] : [target.signatureInside]),
    ]);
  } catch (error) {
    if (!isRampartError(error, 'RAMPART_USAGE')) throw error;
    throw new RampartError(
      'RAMPART_MODEL_SIGNATURE_MALFORMED',
      `${target.signaturePath}: ${error.message}`,
      {
        cause: error,
      },
    );
  }
}

function ecKey(key: KeyObject): KeyObject {
  const publicKey = toPublicKey(key);
  if (keyAlgorithm(publicKey) === 'ed25519') {
    throw new RampartError(
      'RAMPART_KEY_UNSUPPORTED',
      'model signatures use ECDSA P-256 or P-384 keys, not Ed25519',
    );
  }
  return publicKey;
}

function pemKeyId(pem: string): string | undefined {
  try {
    return keyId(pem);
  } catch {
    throw new RampartError(
      'RAMPART_MODEL_SIGNATURE_MALFORMED',
      'publicKey.rawBytes is not a PEM public key',
    );
  }
}

function needs(what: string, flag: string): RampartError {
  return new RampartError('RAMPART_USAGE', `this signature is verified with ${what}`, {
    hint: `Pass ${flag}.`,
  });
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}
