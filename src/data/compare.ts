/**
 * Compares a recorded dataset manifest with a fresh hash of the files: every changed, missing
 * and added file, and for chunked files the byte ranges whose chunks differ.
 */
import type { Digest, HashPool } from '../core/index.js';
import { hashChunks, type DatasetFile, type DatasetManifest } from './manifest.js';

/** A half-open byte range `[start, end)`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** A file whose bytes differ from the recorded ones. */
export interface ChangedFile {
  readonly path: string;
  readonly expected: { readonly size: number; readonly digest: Digest };
  readonly actual: { readonly size: number; readonly digest: Digest };
  /** The changed byte ranges (adjacent chunks merged); only for files recorded with chunks. */
  readonly ranges?: readonly ByteRange[];
}

/** What differs between the recorded manifest and the files now. */
export interface ManifestDiff {
  readonly changed: readonly ChangedFile[];
  readonly missing: readonly string[];
  readonly added: readonly string[];
}

/**
 * Diffs `current` (hashed without chunks) against `recorded`; chunked files that changed are
 * re-hashed chunk by chunk through `locate(path)` to find the changed ranges.
 * @throws as {@link hashChunks} when a changed file cannot be read again.
 */
export async function compareManifests(
  recorded: DatasetManifest,
  current: DatasetManifest,
  locate: (path: string) => string,
  pool: HashPool,
): Promise<ManifestDiff> {
  const now = new Map(current.files.map((file) => [file.path, file]));
  const before = new Set(recorded.files.map((file) => file.path));
  const changed: Promise<ChangedFile>[] = [];
  const missing: string[] = [];
  for (const file of recorded.files) {
    const actual = now.get(file.path);
    if (actual === undefined) missing.push(file.path);
    else if (actual.digest !== file.digest || actual.size !== file.size) {
      changed.push(describeChange(file, actual, recorded.chunkSize, locate, pool));
    }
  }
  const added = current.files.filter((file) => !before.has(file.path)).map((file) => file.path);
  return { changed: await Promise.all(changed), missing, added };
}

/** True when nothing differs. */
export function isClean(diff: ManifestDiff): boolean {
  return diff.changed.length === 0 && diff.missing.length === 0 && diff.added.length === 0;
}

async function describeChange(
  expected: DatasetFile,
  actual: DatasetFile,
  chunkSize: number,
  locate: (path: string) => string,
  pool: HashPool,
): Promise<ChangedFile> {
  const base = {
    path: expected.path,
    expected: { size: expected.size, digest: expected.digest },
    actual: { size: actual.size, digest: actual.digest },
  };
  if (expected.chunks === undefined) return base;
  const now = await hashChunks(locate(actual.path), actual.size, chunkSize, pool);
  return {
    ...base,
    ranges: changedRanges(expected.chunks, now, chunkSize, Math.max(expected.size, actual.size)),
  };
}

/** The ranges of the chunks that differ between two chunk lists, adjacent ones merged. */
export function changedRanges(
  before: readonly Digest[],
  after: readonly Digest[],
  chunkSize: number,
  size: number,
): ByteRange[] {
  const ranges: ByteRange[] = [];
  const count = Math.max(before.length, after.length);
  for (let index = 0; index < count; index++) {
    if (before[index] !== undefined && before[index] === after[index]) continue;
    const start = index * chunkSize;
    const end = Math.min(start + chunkSize, size);
    const last = ranges.at(-1);
    if (last !== undefined && last.end === start)
      ranges[ranges.length - 1] = { start: last.start, end };
    else ranges.push({ start, end });
  }
  return ranges;
}
