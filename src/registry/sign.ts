/**
 * `signModel`: hash a model folder or file and write an OMS v1.0 signature (key or
 * certificate method) that model_signing verifies.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import {
  DEFAULT_IGNORE_PATHS,
  DEFAULT_SHARD_SIZE,
  HashPool,
  RampartError,
  keyAlgorithm,
  keyId,
  localSigner,
  normaliseIgnorePaths,
  signEnvelope,
  writeFileAtomic,
} from '../core/index.js';
import { buildBundle, buildStatement } from './bundle.js';
import { resolveTarget } from './target.js';
import { hashModel } from './manifest.js';
import type { SignMethod } from './manifest.js';
import { walkModel } from './walk.js';

/** Options for {@link signModel}. */
export interface SignOptions {
  /** ECDSA P-256 or P-384 private key. */
  readonly privateKey: KeyObject;
  /** Certificate method: the leaf certificate of `privateKey`, then intermediates. */
  readonly certificateChain?: readonly X509Certificate[];
  /** Default `model.sig` in the folder, or `<file>.sig` beside a single file. */
  readonly signaturePath?: string;
  readonly method?: SignMethod;
  readonly shardSize?: number;
  /** Extra ignore paths; the git paths and the signature file are always ignored. */
  readonly ignorePaths?: readonly string[];
  readonly allowSymlinks?: boolean;
  readonly pool?: HashPool;
  readonly maxFiles?: number;
}

/** What was signed. */
export interface SignResult {
  readonly signaturePath: string;
  /** `sha256:<hex>` root digest: the model's identity. */
  readonly digest: string;
  readonly method: SignMethod;
  readonly keyId: string;
  readonly fileCount: number;
  readonly totalSize: number;
  readonly ignoredFiles: readonly string[];
}

/**
 * Signs the model at `modelPath` and writes the bundle atomically.
 * @throws RAMPART_KEY_UNSUPPORTED (not an EC P-256/P-384 key), RAMPART_KEY_INVALID (certificate
 *   not for this key), file errors, RAMPART_LIMIT_EXCEEDED, RAMPART_USAGE.
 */
export async function signModel(modelPath: string, options: SignOptions): Promise<SignResult> {
  const algorithm = keyAlgorithm(options.privateKey);
  if (algorithm === 'ed25519') {
    throw new RampartError(
      'RAMPART_KEY_UNSUPPORTED',
      'model signatures need an ECDSA P-256 or P-384 key, not Ed25519',
      {
        hint: 'OpenSSF model signing uses ECDSA; generate one with `openssl ecparam -name prime256v1 -genkey`.',
      },
    );
  }
  const target = await resolveTarget(modelPath, options.signaturePath);
  const method = options.method ?? 'files';
  const shardSize =
    method === 'shards' ? checkShardSize(options.shardSize ?? DEFAULT_SHARD_SIZE) : 0;
  const ignorePaths = target.isFile
    ? []
    : normaliseIgnorePaths(target.root, [
        ...DEFAULT_IGNORE_PATHS,
        ...(options.ignorePaths ?? []),
        ...(target.signatureInside === undefined ? [] : [target.signatureInside]),
      ]);
  const walk = await walkModel(target.root, {
    ignorePaths,
    allowSymlinks: options.allowSymlinks ?? false,
    collectIgnored: true,
    maxFiles: options.maxFiles ?? 1_000_000,
  });
  const pool = options.pool ?? new HashPool();
  let manifest;
  try {
    manifest = await hashModel(walk.files, { method, shardSize }, pool);
  } finally {
    if (options.pool === undefined) await pool.close();
  }
  const ignoredFiles = walk.ignoredFiles.filter((name) => name !== target.signatureInside);
  const statement = buildStatement(
    target.subjectName,
    { method, shardSize },
    ignorePaths,
    options.allowSymlinks ?? false,
    manifest.resources,
    { files: walk.files.map((file) => ({ name: file.name, size: file.size })), ignoredFiles },
  );
  const payload = Buffer.from(JSON.stringify(statement, null, 2), 'utf8');
  const signer = localSigner(options.privateKey);
  const signed = await signEnvelope(payload, 'application/vnd.in-toto+json', [
    { ...signer, keyId: '' },
  ]);
  const chain = options.certificateChain;
  if (chain !== undefined) checkLeaf(chain, options.privateKey);
  const bundle = buildBundle(
    signed,
    chain === undefined ? { hint: signer.keyId } : { chain: chain.map((cert) => cert.raw) },
  );
  await writeFileAtomic(target.signaturePath, `${JSON.stringify(bundle, null, 2)}\n`, {
    mode: 0o644,
    exclusive: false,
  });
  return {
    signaturePath: target.signaturePath,
    digest: `sha256:${manifest.rootDigest}`,
    method,
    keyId: keyId(options.privateKey),
    fileCount: walk.files.length,
    totalSize: manifest.totalSize,
    ignoredFiles,
  };
}

function checkLeaf(chain: readonly X509Certificate[], privateKey: KeyObject): void {
  const leaf = chain[0];
  if (leaf === undefined || keyId(leaf.publicKey) !== keyId(privateKey)) {
    throw new RampartError(
      'RAMPART_KEY_INVALID',
      'the signing certificate is not for the signing key',
      {
        hint: 'Pass the certificate issued for --key first in --signing-certificate.',
      },
    );
  }
}

function checkShardSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new RampartError(
      'RAMPART_USAGE',
      `shard size must be a positive whole number of bytes, got ${size}`,
    );
  }
  return size;
}
