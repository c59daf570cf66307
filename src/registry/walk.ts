/**
 * The model walk: every regular file under a model root with the stat facts the verify cache
 * keys on, plus (on request) the files found under ignored paths.
 */
import { lstatSync, type BigIntStats, type Dirent } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  RampartError,
  comparePosixPaths,
  entryName,
  fileError,
  readFolder,
  statKeyOf,
} from '../core/index.js';

/** One file of a model, as walked. */
export interface ModelFile {
  /** POSIX path relative to the root; `.` for a single-file model. */
  readonly name: string;
  /** Absolute path to hash (the target for an allowed symbolic link). */
  readonly path: string;
  readonly size: number;
  /** `dev:ino:size:mtimeNs:ctimeNs`: equal keys mean unchanged content (ctime cannot be set back). */
  readonly statKey: string;
}

/** What {@link walkModel} found. */
export interface ModelWalk {
  /** Regular files in OMS order (path components by code point). */
  readonly files: ModelFile[];
  /** Files under ignored paths, sorted (only with `collectIgnored`). */
  readonly ignoredFiles: string[];
}

/** Options for {@link walkModel}. */
export interface WalkOptions {
  /** Normalised ignore paths relative to the root. */
  readonly ignorePaths: readonly string[];
  /** Hash a symbolic link to a file as its target's content; links to folders stay refused. */
  readonly allowSymlinks: boolean;
  /** Also list files below ignored paths (for detecting files added there). */
  readonly collectIgnored: boolean;
  readonly maxFiles: number;
}

const STAT_BATCH = 512;

/**
 * Walks a model folder (or single file). Anything but regular files and folders is refused,
 * symbolic links too unless allowed.
 * @throws RAMPART_FILE_NOT_FOUND, RAMPART_FILE_UNREADABLE, RAMPART_FILE_TYPE_UNSUPPORTED,
 *   RAMPART_LIMIT_EXCEEDED.
 */
export async function walkModel(root: string, options: WalkOptions): Promise<ModelWalk> {
  const info = await statPath(root, true);
  if (info.isFile()) {
    const resolved = await realpath(root).catch((error: unknown) => {
      throw fileError(error, root);
    });
    return { files: [toFile('.', resolved, info)], ignoredFiles: [] };
  }
  if (!info.isDirectory()) throw unsupported(root, 'not a regular file or folder');
  const ignored = new Set(options.ignorePaths);
  const files: ModelFile[] = [];
  const ignoredFiles: string[] = [];
  const links: Promise<ModelFile>[] = [];
  const regular: { relative: string; absolute: string }[] = [];
  const pending: { folder: string; ignored: boolean }[] = [{ folder: '', ignored: false }];
  let count = 0;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const entry of await readFolder(root, next.folder)) {
      const name = entryName(root, next.folder, entry);
      const relative = next.folder === '' ? name : `${next.folder}/${name}`;
      const isIgnored = next.ignored || ignored.has(relative);
      if (isIgnored && !options.collectIgnored) continue;
      if (++count > options.maxFiles) {
        throw new RampartError(
          'RAMPART_LIMIT_EXCEEDED',
          `${root}: more than ${options.maxFiles} files and folders`,
          { details: { path: root, limit: options.maxFiles } },
        );
      }
      const absolute = path.join(root, relative);
      if (entry.isDirectory()) {
        pending.push({ folder: relative, ignored: isIgnored });
      } else if (isIgnored) {
        // Under an ignored path anything goes: only its name is recorded, never its content.
        ignoredFiles.push(relative);
      } else if (entry.isFile()) {
        regular.push({ relative, absolute });
      } else if (entry.isSymbolicLink() && options.allowSymlinks) {
        links.push(linkedFile(relative, absolute));
      } else {
        throw unsupported(absolute, `is ${kindOf(entry)}, not a regular file`);
      }
    }
  }
  files.push(...(await statFiles(regular)), ...(await Promise.all(links)));
  files.sort((a, b) => comparePosixPaths(a.name, b.name));
  ignoredFiles.sort(comparePosixPaths);
  return { files, ignoredFiles };
}

// A synchronous lstat of a cached inode costs a few microseconds; an asynchronous one a thread-
// pool round trip ten times that, which dominated cached re-verifies. The event loop still gets
// a turn every STAT_BATCH files.
async function statFiles(
  list: readonly { relative: string; absolute: string }[],
): Promise<ModelFile[]> {
  const files: ModelFile[] = [];
  for (const [i, { relative, absolute }] of list.entries()) {
    if (i > 0 && i % STAT_BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
    let info: BigIntStats;
    try {
      info = lstatSync(absolute, { bigint: true });
    } catch (error) {
      throw fileError(error, absolute);
    }
    files.push(toFile(relative, absolute, info));
  }
  return files;
}

async function linkedFile(name: string, absolute: string): Promise<ModelFile> {
  const target = await realpath(absolute).catch((error: unknown) => {
    throw fileError(error, absolute);
  });
  const info = await statPath(target, false);
  if (!info.isFile()) throw unsupported(absolute, 'is a symbolic link to something not a file');
  return toFile(name, target, info);
}

function toFile(name: string, absolute: string, info: BigIntStats): ModelFile {
  return { name, path: absolute, size: Number(info.size), statKey: statKeyOf(info) };
}

async function statPath(file: string, follow: boolean): Promise<BigIntStats> {
  try {
    return follow ? await stat(file, { bigint: true }) : await lstat(file, { bigint: true });
  } catch (error) {
    throw fileError(error, file);
  }
}

function kindOf(entry: Dirent<Buffer>): string {
  if (entry.isSymbolicLink()) return 'a symbolic link (pass --allow-symlinks to follow it)';
  if (entry.isSocket()) return 'a socket';
  if (entry.isFIFO()) return 'a FIFO';
  return 'a device';
}

function unsupported(absolute: string, reason: string): RampartError {
  return new RampartError('RAMPART_FILE_TYPE_UNSUPPORTED', `${absolute}: ${reason}`, {
    details: { path: absolute },
  });
}
