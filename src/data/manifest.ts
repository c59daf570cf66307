/**
 * Dataset manifests: the OMS `files` manifest of a folder (per-file SHA-256 and size, root
 * digest over the file digests) plus per-chunk digests of large files, so a failed re-verify
 * can name the changed byte range.
 */
import { createHash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import {
  canonicalBytes,
  DEFAULT_IGNORE_PATHS,
  fileError,
  hashFolder,
  RampartError,
  sha256,
  type Digest,
  type HashPool,
  type VerifyCache,
} from '../core/index.js';

/** The format tag of a dataset manifest. */
export const MANIFEST_FORMAT = 'https://rampart.dev/dataset-manifest/v1';

/** Files larger than this get per-chunk digests as well; 64 MiB. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024 * 1024;

/** One file of a dataset version. */
export interface DatasetFile {
  /** Path relative to the dataset root, `/`-separated; `.` when the dataset is one file. */
  readonly path: string;
  readonly size: number;
  /** SHA-256 of the whole file (the value Git LFS, the Hub and OMS use). */
  readonly digest: Digest;
  /** Digests of `[i*chunkSize, (i+1)*chunkSize)`, only for files larger than one chunk. */
  readonly chunks?: readonly Digest[];
}

/** The manifest of a dataset version. */
export interface DatasetManifest {
  readonly format: typeof MANIFEST_FORMAT;
  /** The OMS `files` root digest: SHA-256 over the raw file digests in manifest order. */
  readonly digest: Digest;
  readonly chunkSize: number;
  readonly ignorePaths: readonly string[];
  readonly fileCount: number;
  readonly totalSize: number;
  readonly files: readonly DatasetFile[];
}

/** How {@link buildManifest} hashes. */
export interface BuildManifestOptions {
  readonly pool: HashPool;
  /** Default {@link DEFAULT_CHUNK_SIZE}. */
  readonly chunkSize?: number | undefined;
  /** Default the OMS git paths (.git, .github, .gitattributes, .gitignore). */
  readonly ignorePaths?: readonly string[];
  /** False to skip the chunk digests (a re-verify computes them only for changed files). */
  readonly withChunks?: boolean;
  /**
   * Incremental cache of whole-file digests (opened for `root`): unchanged files are not
   * hashed again (chunk digests, when wanted, are still read). The caller saves it.
   */
  readonly cache?: VerifyCache | undefined;
}

/**
 * Hashes the file or folder at `root` into a dataset manifest. Symbolic links (the root
 * included), sockets, FIFOs and devices are refused.
 * @throws RAMPART_USAGE (bad chunk size), RAMPART_FILE_NOT_FOUND, RAMPART_FILE_UNREADABLE, RAMPART_FILE_TYPE_UNSUPPORTED,
 *   RAMPART_LIMIT_EXCEEDED, RAMPART_HASH_FAILED
 */
export async function buildManifest(
  root: string,
  options: BuildManifestOptions,
): Promise<DatasetManifest> {
  await refuseLink(root);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new RampartError(
      'RAMPART_USAGE',
      `chunk size must be a positive integer, got ${chunkSize}`,
    );
  }
  const folder = await hashFolder(root, {
    method: 'files',
    ignorePaths: options.ignorePaths ?? DEFAULT_IGNORE_PATHS,
    pool: options.pool,
    ...(options.cache === undefined ? {} : { cache: options.cache }),
  });
  const files = await Promise.all(
    folder.resources.map(async (resource): Promise<DatasetFile> => {
      const file = { path: resource.name, size: resource.size, digest: resource.digest };
      if (resource.size <= chunkSize || options.withChunks === false) return file;
      const where = resource.name === '.' ? root : path.join(root, resource.name);
      return { ...file, chunks: await hashChunks(where, resource.size, chunkSize, options.pool) };
    }),
  );
  return {
    format: MANIFEST_FORMAT,
    digest: folder.digest,
    chunkSize,
    ignorePaths: folder.ignorePaths,
    fileCount: folder.fileCount,
    totalSize: folder.totalSize,
    files,
  };
}

/**
 * The per-chunk digests of a file of `size` bytes. The pool refuses symbolic links, and the
 * last chunk must end the file, so a file that grew since it was listed fails.
 * @throws as {@link HashPool.hashRange}
 */
export function hashChunks(
  file: string,
  size: number,
  chunkSize: number,
  pool: HashPool,
): Promise<Digest[]> {
  const jobs: Promise<Digest>[] = [];
  for (let start = 0; start < size; start += chunkSize) {
    const end = Math.min(start + chunkSize, size);
    jobs.push(pool.hashRange(file, start, end, end === size).then((result) => result.digest));
  }
  return Promise.all(jobs);
}

/** The digest of a manifest's canonical JSON: what the provenance statement signs. */
export function manifestDigest(manifest: DatasetManifest): Digest {
  return sha256(canonicalBytes(manifest));
}

/** The OMS root digest over file digests in order. */
export function rootDigest(files: readonly DatasetFile[]): Digest {
  const hash = createHash('sha256');
  for (const file of files) hash.update(Buffer.from(file.digest.slice('sha256:'.length), 'hex'));
  return `sha256:${hash.digest('hex')}`;
}

async function refuseLink(root: string): Promise<void> {
  let info;
  try {
    info = await lstat(root);
  } catch (error) {
    throw fileError(error, root);
  }
  if (info.isSymbolicLink()) {
    throw new RampartError(
      'RAMPART_FILE_TYPE_UNSUPPORTED',
      `${root}: is a symbolic link; datasets are registered from real files`,
      { hint: 'Pass the path the link points to.', details: { path: root } },
    );
  }
}
