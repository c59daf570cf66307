/**
 * The incremental cache behind {@link hashFolder}: unchanged files are answered from a
 * {@link VerifyCache} before hashing, and fresh digests are remembered only for files that had
 * settled before hashing started and did not change while they were read.
 */
import { lstatSync, type BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { fileError } from '../errors.js';
import { statKeyOf, type VerifyCache } from './verify-cache.js';

/** A listed file; with a cache, also its stat facts and (on a hit) its cached hex digests. */
export interface FileEntry {
  readonly name: string;
  readonly path: string;
  /** Known for a single-file root and with a cache; the plain walk does not stat. */
  readonly size?: number;
  readonly statKey?: string;
  readonly ctimeNs?: bigint;
  readonly cached?: readonly string[];
}

/**
 * Writes within one timestamp tick can leave the ctime unchanged (the kernel stamps files from
 * a coarse clock; some filesystems keep whole or even two seconds). A file changed less than
 * this long before hashing started is hashed but not remembered, so a rewrite in the same tick
 * cannot hide behind its entry (Git's "racy clean" problem).
 */
export const SETTLE_NS = 2_000_000_000n;

const STAT_BATCH = 512;

/**
 * Stats every file and looks it up in `cache`. `count(size)` is how many digests a file of
 * that size has, so an entry of the wrong shape is a miss.
 * @throws file errors when a file cannot be stat'ed.
 */
export async function lookUpFiles(
  files: readonly FileEntry[],
  cache: VerifyCache,
  algorithm: string,
  count: (size: number) => number,
): Promise<FileEntry[]> {
  const result: FileEntry[] = [];
  for (const [i, file] of files.entries()) {
    // Synchronous lstat of a cached inode costs microseconds, an asynchronous one a thread-pool
    // round trip ten times that; the event loop still gets a turn every STAT_BATCH files.
    if (i > 0 && i % STAT_BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
    let info: BigIntStats;
    try {
      info = lstatSync(file.path, { bigint: true });
    } catch (error) {
      throw fileError(error, file.path);
    }
    // Not a regular file any more (swapped since the walk): no lookup; the pool refuses it.
    if (!info.isFile()) {
      result.push(file);
      continue;
    }
    const size = Number(info.size);
    const statKey = statKeyOf(info);
    const cached = cache.get(file.name, statKey, algorithm, count(size));
    result.push({
      name: file.name,
      path: file.path,
      size,
      statKey,
      ctimeNs: info.ctimeNs,
      ...(cached === undefined ? {} : { cached }),
    });
  }
  return result;
}

/**
 * Stores the fresh digests of `file` if it had settled by `startedNs` (wall clock, ns) and its
 * stat key is still the one it was hashed under.
 */
export async function rememberFile(
  cache: VerifyCache,
  file: FileEntry,
  algorithm: string,
  digests: readonly string[],
  startedNs: bigint,
): Promise<void> {
  if (file.statKey === undefined || file.ctimeNs === undefined) return;
  if (file.ctimeNs + SETTLE_NS > startedNs) return;
  try {
    if (statKeyOf(await lstat(file.path, { bigint: true })) !== file.statKey) return;
  } catch {
    return;
  }
  cache.set(file.name, file.statKey, algorithm, digests);
}
