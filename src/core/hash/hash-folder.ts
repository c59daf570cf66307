/**
 * Folder manifests with the OpenSSF model-signing (OMS) semantics: per-file or per-shard
 * SHA-256, resources in OMS order, and a root digest over the raw resource digests.
 */
import { createHash } from 'node:crypto';
import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Digest } from '../digest.js';
import { RampartError, fileError } from '../errors.js';
import { lookUpFiles, rememberFile, type FileEntry } from './folder-cache.js';
import { HashPool } from './hash-pool.js';
import type { RangeDigest } from './hash-pool.js';
import { comparePosixPaths } from './path-order.js';
import { mapLimit } from '../map-limit.js';
import type { VerifyCache } from './verify-cache.js';
import { DEFAULT_IGNORE_PATHS, listFiles, normaliseIgnorePaths } from './walk.js';

/** `files`: one resource per file; `shards`: one per `shardSize` byte range of each file. */
export type ManifestMethod = 'files' | 'shards';

/** Options for {@link hashFolder}. */
export interface HashFolderOptions {
  /** Default `files`. */
  readonly method?: ManifestMethod;
  /** Shard length in bytes for `shards`; default 1,000,000,000 (the OMS default). */
  readonly shardSize?: number;
  /** Paths relative to the root to leave out; default {@link DEFAULT_IGNORE_PATHS}. */
  readonly ignorePaths?: readonly string[];
  /** Most files the walk accepts; default 1,000,000. */
  readonly maxFiles?: number;
  /** Most resources (files or shards) in the manifest; default 4,000,000. */
  readonly maxResources?: number;
  /** Worker pool to hash on; without one, a pool is started and stopped. */
  readonly pool?: HashPool;
  /**
   * Incremental cache (opened for this root): files with an unchanged stat key are not read,
   * and fresh digests of settled files are added. The caller saves it.
   */
  readonly cache?: VerifyCache;
}

/** One manifest entry: a file (`path`) or a shard (`path:start:end`, end exclusive). */
export interface ManifestResource {
  readonly name: string;
  readonly digest: Digest;
  readonly size: number;
}

/** The manifest of a folder (or single file) and its root digest. */
export interface FolderManifest {
  /** SHA-256 over the concatenated raw digests of `resources`, in order: the model's identity. */
  readonly digest: Digest;
  readonly method: ManifestMethod;
  /** OMS algorithm name: `sha256`, or `sha256-sharded-<shardSize>`. */
  readonly algorithm: string;
  /** Shard length in bytes (`shards` only; 0 for `files`). */
  readonly shardSize: number;
  /** The ignore paths applied, normalised and sorted (record them in the signed predicate). */
  readonly ignorePaths: readonly string[];
  readonly resources: readonly ManifestResource[];
  readonly fileCount: number;
  readonly totalSize: number;
}

/** The OMS default shard length. */
export const DEFAULT_SHARD_SIZE = 1_000_000_000;
const DEFAULT_MAX_FILES = 1_000_000;
const DEFAULT_MAX_RESOURCES = 4_000_000;

interface Job {
  /** Index of the file in the listing, and of this shard in the file (0 for `files`). */
  readonly file: number;
  readonly shard: number;
  readonly name: string;
  readonly path: string;
  readonly start: number;
  readonly end?: number;
  readonly final: boolean;
}

/**
 * Hashes a model folder (or a single file, whose one resource is named `.`) into an OMS
 * manifest. Resources are ordered by path component by code point, then by offsets. The
 * root may be a symbolic link; links below it are refused. Unlike OMS, which drops empty
 * files in `shards` mode, an empty file gets one shard `path:0:0` (digest of no bytes), so
 * adding or removing an empty file changes the root digest.
 * @throws RAMPART_FILE_NOT_FOUND, RAMPART_FILE_UNREADABLE, RAMPART_FILE_TYPE_UNSUPPORTED,
 *   RAMPART_LIMIT_EXCEEDED, RAMPART_HASH_FAILED, RAMPART_USAGE (bad options).
 */
export async function hashFolder(
  root: string,
  options: HashFolderOptions = {},
): Promise<FolderManifest> {
  const method = options.method ?? 'files';
  const shardSize =
    method === 'shards' ? checkShardSize(options.shardSize ?? DEFAULT_SHARD_SIZE) : 0;
  const ignorePaths = normaliseIgnorePaths(root, options.ignorePaths ?? DEFAULT_IGNORE_PATHS);
  const algorithm = method === 'shards' ? `sha256-sharded-${shardSize}` : 'sha256';
  const startedNs = BigInt(Date.now()) * 1_000_000n;
  const listed = await listRoot(root, new Set(ignorePaths), options.maxFiles ?? DEFAULT_MAX_FILES);
  const { cache } = options;
  const files =
    cache === undefined
      ? listed
      : await lookUpFiles(listed, cache, algorithm, (size) =>
          method === 'shards' ? Math.max(1, Math.ceil(size / shardSize)) : 1,
        );
  const maxResources = options.maxResources ?? DEFAULT_MAX_RESOURCES;
  const jobs =
    method === 'shards' ? await shardJobs(root, files, shardSize, maxResources) : fileJobs(files);
  if (jobs.length > maxResources) throw tooManyResources(root, maxResources);
  const fresh = await runJobs(
    jobs.filter((job) => files[job.file]?.cached === undefined),
    options.pool,
  );
  let next = 0;
  const results = jobs.map((job): RangeDigest => {
    const file = files[job.file] as FileEntry;
    const cached = file.cached?.[job.shard];
    if (cached === undefined) return fresh[next++] as RangeDigest;
    return { digest: `sha256:${cached}`, size: (job.end ?? file.size ?? 0) - job.start };
  });
  if (cache !== undefined) await remember(cache, files, jobs, results, algorithm, startedNs);
  const root256 = createHash('sha256');
  const resources = jobs.map((job, index): ManifestResource => {
    const result = results[index] as RangeDigest;
    root256.update(Buffer.from(result.digest.slice('sha256:'.length), 'hex'));
    return { name: job.name, digest: result.digest, size: result.size };
  });
  return {
    digest: `sha256:${root256.digest('hex')}`,
    method,
    algorithm,
    shardSize,
    ignorePaths,
    resources,
    fileCount: files.length,
    totalSize: resources.reduce((total, resource) => total + resource.size, 0),
  };
}

async function listRoot(
  root: string,
  ignored: ReadonlySet<string>,
  maxFiles: number,
): Promise<FileEntry[]> {
  let info;
  try {
    info = await stat(root);
  } catch (error) {
    throw fileError(error, root);
  }
  if (info.isFile()) {
    const resolved = await realpath(root).catch((error: unknown) => {
      throw fileError(error, root);
    });
    return [{ name: '.', path: resolved, size: info.size }];
  }
  if (!info.isDirectory()) {
    throw new RampartError(
      'RAMPART_FILE_TYPE_UNSUPPORTED',
      `${root}: not a regular file or folder`,
      {
        details: { path: root },
      },
    );
  }
  const names = await listFiles(root, ignored, maxFiles);
  names.sort(comparePosixPaths);
  return names.map((name) => ({ name, path: path.join(root, name) }));
}

function fileJobs(files: readonly FileEntry[]): Job[] {
  return files.map((file, index) => ({
    file: index,
    shard: 0,
    name: file.name,
    path: file.path,
    start: 0,
    final: true,
  }));
}

// The fresh digests of each file that missed the cache, grouped from its jobs (in file order).
async function remember(
  cache: VerifyCache,
  files: readonly FileEntry[],
  jobs: readonly Job[],
  results: readonly RangeDigest[],
  algorithm: string,
  startedNs: bigint,
): Promise<void> {
  const digests = new Map<number, string[]>();
  jobs.forEach((job, index) => {
    if (files[job.file]?.cached !== undefined) return;
    const hex = (results[index] as RangeDigest).digest.slice('sha256:'.length);
    const list = digests.get(job.file);
    if (list === undefined) digests.set(job.file, [hex]);
    else list.push(hex);
  });
  await mapLimit([...digests], 64, ([index, list]) =>
    rememberFile(cache, files[index] as FileEntry, algorithm, list, startedNs),
  );
}

async function shardJobs(
  root: string,
  files: readonly FileEntry[],
  shardSize: number,
  maxResources: number,
): Promise<Job[]> {
  const sizes = await mapLimit(files, 64, async (file) => {
    if (file.size !== undefined) return file.size;
    try {
      return (await lstat(file.path)).size;
    } catch (error) {
      throw fileError(error, file.path);
    }
  });
  // Count before building: a tiny shard size on a large file must fail, not exhaust memory.
  const count = sizes.reduce((total, size) => total + Math.max(1, Math.ceil(size / shardSize)), 0);
  if (count > maxResources) throw tooManyResources(root, maxResources);
  const jobs: Job[] = [];
  files.forEach((file, index) => {
    const size = sizes[index] ?? 0;
    let start = 0;
    let shard = 0;
    // do-while: an empty file still gets its one shard `path:0:0`.
    do {
      const end = Math.min(start + shardSize, size);
      jobs.push({
        file: index,
        shard: shard++,
        name: `${file.name}:${start}:${end}`,
        path: file.path,
        start,
        end,
        final: end === size,
      });
      start = end;
    } while (start < size);
  });
  return jobs;
}

async function runJobs(jobs: readonly Job[], given: HashPool | undefined): Promise<RangeDigest[]> {
  // Everything answered from the cache: no pool to start.
  if (jobs.length === 0) return [];
  const pool = given ?? new HashPool();
  try {
    return await mapLimit(jobs, pool.size * 4, (job) =>
      pool.hashRange(job.path, job.start, job.end, job.final),
    );
  } finally {
    if (given === undefined) await pool.close();
  }
}

function tooManyResources(where: string, limit: number): RampartError {
  return new RampartError('RAMPART_LIMIT_EXCEEDED', `${where}: more than ${limit} resources`, {
    details: { path: where, limit },
  });
}

function checkShardSize(shardSize: number): number {
  if (!Number.isSafeInteger(shardSize) || shardSize < 1) {
    throw new RampartError(
      'RAMPART_USAGE',
      `shard size must be a positive integer number of bytes, got ${shardSize}`,
    );
  }
  return shardSize;
}
