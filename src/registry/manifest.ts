/**
 * OMS manifests of walked model files: per-file or per-shard SHA-256 in OMS order and the root
 * digest, reusing cached digests of unchanged files.
 */
import { createHash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { mapLimit, statKeyOf, type HashPool, type VerifyCache } from '../core/index.js';
import type { ModelFile } from './walk.js';

/** `files`: one resource per file; `shards`: one per fixed byte range. */
export type SignMethod = 'files' | 'shards';

/** One OMS resource: a file, or a shard named `path:start:end`. */
export interface Resource {
  readonly name: string;
  readonly algorithm: string;
  /** Lowercase hex SHA-256. */
  readonly digest: string;
}

/** How to hash: the method, and the shard length for `shards`. */
export interface Serialization {
  readonly method: SignMethod;
  /** Bytes per shard (`shards` only; 0 for `files`). */
  readonly shardSize: number;
}

/** The resources of a model and its root digest. */
export interface Manifest {
  readonly resources: Resource[];
  /** Hex SHA-256 over the raw resource digests in order. */
  readonly rootDigest: string;
  readonly totalSize: number;
}

/** The OMS algorithm name of a serialization. */
export function algorithmName(serialization: Serialization): string {
  return serialization.method === 'shards' ? `sha256-sharded-${serialization.shardSize}` : 'sha256';
}

/** The shards `[start, end)` of a file of `size` bytes; an empty file has none (as in OMS). */
export function shardRanges(size: number, shardSize: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let start = 0; start < size; start += shardSize) {
    ranges.push([start, Math.min(start + shardSize, size)]);
  }
  return ranges;
}

/** SHA-256 over the concatenated raw digests, as hex. */
export function rootDigestOf(resources: readonly Resource[]): string {
  const hash = createHash('sha256');
  for (const resource of resources) hash.update(Buffer.from(resource.digest, 'hex'));
  return hash.digest('hex');
}

/**
 * Hashes `files` (already in OMS order) on `pool`. Digests of files whose stat key is in
 * `cache` are reused; fresh ones are stored there only if the file did not change meanwhile.
 * @throws file errors and RAMPART_HASH_FAILED from the pool.
 */
export async function hashModel(
  files: readonly ModelFile[],
  serialization: Serialization,
  pool: HashPool,
  cache?: VerifyCache,
): Promise<Manifest> {
  const algorithm = algorithmName(serialization);
  const perFile = await mapLimit(files, pool.size * 4, async (file) => {
    const cached = cache?.get(file.name, file.statKey, algorithm);
    if (cached !== undefined) return cached;
    const digests = await hashOne(file, serialization, pool);
    if (cache !== undefined && (await unchanged(file))) {
      cache.set(file.name, file.statKey, algorithm, digests);
    }
    return digests;
  });
  const resources: Resource[] = [];
  files.forEach((file, index) => {
    const digests = perFile[index] ?? [];
    if (serialization.method === 'files') {
      resources.push({ name: file.name, algorithm, digest: digests[0] ?? '' });
      return;
    }
    shardRanges(file.size, serialization.shardSize).forEach(([start, end], shard) => {
      resources.push({
        name: `${file.name}:${start}:${end}`,
        algorithm,
        digest: digests[shard] ?? '',
      });
    });
  });
  const totalSize = files.reduce((total, file) => total + file.size, 0);
  return { resources, rootDigest: rootDigestOf(resources), totalSize };
}

async function hashOne(
  file: ModelFile,
  serialization: Serialization,
  pool: HashPool,
): Promise<string[]> {
  if (serialization.method === 'files') {
    const { digest } = await pool.hashRange(file.path, 0, file.size, true);
    return [digest.slice('sha256:'.length)];
  }
  const ranges = shardRanges(file.size, serialization.shardSize);
  const results = await Promise.all(
    ranges.map(([start, end]) => pool.hashRange(file.path, start, end, end === file.size)),
  );
  return results.map((result) => result.digest.slice('sha256:'.length));
}

async function unchanged(file: ModelFile): Promise<boolean> {
  try {
    return statKeyOf(await lstat(file.path, { bigint: true })) === file.statKey;
  } catch {
    return false;
  }
}
