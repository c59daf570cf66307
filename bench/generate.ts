// Generated multi-GiB inputs and the plain-hashing limit they are measured against, shared by
// the benchmarks that hash big files (sign, train).
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { HashPool } from '../src/core/index.js';

const MIB = 1024 * 1024;
const BLOCK = 64 * MIB;
const LIMIT_RANGE = 256 * MIB;

/** Where the generated files go, relative to the root. */
export interface Layout {
  readonly bigFiles: number;
  readonly bigSize: number;
  readonly smallFiles: number;
  readonly smallSize: number;
  readonly bigName: (index: number) => string;
  readonly smallName: (index: number) => string;
}

/**
 * Writes the files of `layout` under `root`: a random block repeated with a counter in its first
 * bytes, so every block differs and generating gigabytes costs one write per block.
 */
export function generateFiles(root: string, layout: Layout): string[] {
  const block = randomBytes(BLOCK);
  const files: string[] = [];
  let counter = 0n;
  const write = (file: string, size: number): void => {
    mkdirSync(path.dirname(file), { recursive: true });
    const fd = openSync(file, 'w');
    for (let written = 0; written < size; written += BLOCK) {
      block.writeBigUInt64LE(counter++, 0);
      writeSync(fd, block, 0, Math.min(BLOCK, size - written));
    }
    closeSync(fd);
    files.push(file);
  };
  for (let i = 0; i < layout.bigFiles; i++)
    write(path.join(root, layout.bigName(i)), layout.bigSize);
  for (let i = 0; i < layout.smallFiles; i++)
    write(path.join(root, layout.smallName(i)), layout.smallSize);
  return files;
}

/** The limit: every file cut into 256 MiB ranges, all hashed on one pool, nothing else. */
export async function hashRanges(
  pool: HashPool,
  files: readonly string[],
  sizes: readonly number[],
): Promise<void> {
  const jobs: Promise<unknown>[] = [];
  files.forEach((file, index) => {
    const size = sizes[index] ?? 0;
    for (let start = 0; start === 0 || start < size; start += LIMIT_RANGE) {
      const end = Math.min(start + LIMIT_RANGE, size);
      jobs.push(pool.hashRange(file, start, end, end === size));
    }
  });
  await Promise.all(jobs);
}
