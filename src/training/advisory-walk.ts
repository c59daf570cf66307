/**
 * Walks a folder of OSV records for an import: `.json`, `.yaml` and `.yml` files, sorted, with
 * hidden entries (`.git`) and symbolic links never followed, and limits on depth, file count and
 * record size so that a hostile folder cannot exhaust memory or time.
 */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileError, readSmallFile, RampartError } from '../core/index.js';

/** One candidate record: its name (relative path or zip member) and its bytes. */
export interface RecordEntry {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Limits of a folder walk. */
export interface WalkLimits {
  readonly maxFiles: number;
  readonly maxRecordBytes: number;
  readonly maxDepth: number;
}

const RECORD_FILE = /\.(json|ya?ml)$/i;

/** True when `name` looks like an OSV record file (by extension). */
export function isRecordName(name: string): boolean {
  return RECORD_FILE.test(name);
}

/**
 * The record files under `folder`, one at a time (bytes read only when asked for).
 * @throws RAMPART_ADVISORY_IMPORT_INVALID past a limit; a file error when the folder cannot be read
 */
export async function* walkRecords(
  folder: string,
  limits: WalkLimits,
): AsyncGenerator<RecordEntry> {
  const info = await lstat(folder).catch((error: unknown) => {
    throw fileError(error, folder);
  });
  if (!info.isDirectory()) {
    throw new RampartError(
      'RAMPART_ADVISORY_IMPORT_INVALID',
      `${folder}: not a folder or a .zip file`,
      {
        details: { path: folder },
      },
    );
  }
  let files = 0;
  const pending: { dir: string; depth: number }[] = [{ dir: folder, depth: 0 }];
  while (pending.length > 0) {
    const { dir, depth } = pending.pop() ?? { dir: folder, depth: 0 };
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      throw fileError(error, dir);
    });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subfolders: string[] = [];
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      // Symbolic links are never followed: they could leave the folder or loop.
      if (entry.name.startsWith('.') || entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        if (depth + 1 > limits.maxDepth)
          throw over(folder, `folders nested deeper than ${limits.maxDepth}`);
        subfolders.push(full);
        continue;
      }
      if (!entry.isFile() || !isRecordName(entry.name)) continue;
      if (++files > limits.maxFiles)
        throw over(folder, `more than ${limits.maxFiles} record files`);
      const name = path.relative(folder, full).split(path.sep).join('/');
      const bytes = await readSmallFile(full, limits.maxRecordBytes).catch((error: unknown) => {
        if (error instanceof RampartError && error.code === 'RAMPART_LIMIT_EXCEEDED') {
          throw new RampartError(
            'RAMPART_ADVISORY_IMPORT_INVALID',
            `${name}: larger than ${limits.maxRecordBytes} bytes`,
            {
              cause: error,
              details: { path: full, limit: limits.maxRecordBytes },
            },
          );
        }
        throw error;
      });
      yield { name, bytes };
    }
    // Depth-first in name order: push in reverse so the first name is walked first.
    for (const sub of subfolders.reverse()) pending.push({ dir: sub, depth: depth + 1 });
  }
}

function over(folder: string, why: string): RampartError {
  return new RampartError('RAMPART_ADVISORY_IMPORT_INVALID', `${folder}: ${why}`, {
    details: { path: folder },
  });
}
