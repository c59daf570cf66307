/**
 * The folder walk behind model manifests: every regular file under a root, as relative POSIX
 * paths, skipping ignored paths and refusing anything that is not a file or a folder.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { RampartError, fileError } from '../errors.js';

/** Paths the OMS reference tool ignores by default (`--ignore-git-paths`). */
export const DEFAULT_IGNORE_PATHS: readonly string[] = Object.freeze([
  '.git',
  '.gitattributes',
  '.github',
  '.gitignore',
]);

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns ignore paths (relative to `root`, or absolute inside it) into normalised relative
 * POSIX paths, sorted and without duplicates.
 * @throws RAMPART_USAGE for an empty path or one outside `root`.
 */
export function normaliseIgnorePaths(root: string, ignorePaths: readonly string[]): string[] {
  const result = new Set<string>();
  for (const given of ignorePaths) {
    const relative = path.isAbsolute(given) ? path.relative(path.resolve(root), given) : given;
    const normal = path.posix.normalize(relative.split(path.sep).join('/')).replace(/\/+$/, '');
    if (
      normal === '' ||
      normal === '.' ||
      normal === '..' ||
      normal.startsWith('../') ||
      normal.startsWith('/')
    ) {
      throw new RampartError(
        'RAMPART_USAGE',
        `ignore path ${JSON.stringify(given)} is not inside ${root}`,
        {
          hint: 'Give ignore paths relative to the model folder, e.g. `model.sig` or `.cache`.',
          details: { path: given },
        },
      );
    }
    result.add(normal);
  }
  return [...result].sort();
}

/**
 * Lists every regular file below `root` as a relative POSIX path (unordered). Ignoring a
 * folder ignores everything below it. Directories are descended without recursion.
 * @throws RAMPART_FILE_TYPE_UNSUPPORTED for a symbolic link, socket, FIFO or device that is not
 *   ignored, RAMPART_FILE_UNREADABLE for a name that is not UTF-8 or an unreadable folder,
 *   RAMPART_LIMIT_EXCEEDED past `maxFiles` entries (files and folders both count, so a tree of
 *   millions of empty folders is refused too).
 */
export async function listFiles(
  root: string,
  ignored: ReadonlySet<string>,
  maxFiles: number,
): Promise<string[]> {
  const files: string[] = [];
  const pending: string[] = [''];
  let entries = 0;
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    for (const entry of await readFolder(root, folder)) {
      const name = entryName(root, folder, entry);
      const relative = folder === '' ? name : `${folder}/${name}`;
      if (ignored.has(relative)) continue;
      if (++entries > maxFiles) throw tooManyFiles(root, maxFiles);
      if (entry.isDirectory()) {
        pending.push(relative);
      } else if (entry.isFile()) {
        files.push(relative);
      } else {
        throw unsupported(path.join(root, relative), entry);
      }
    }
  }
  return files;
}

/** The entries of `root/folder` with raw (Buffer) names. @throws file errors */
export async function readFolder(root: string, folder: string): Promise<Dirent<Buffer>[]> {
  const absolute = path.join(root, folder);
  try {
    // Raw names: a name that is not UTF-8 would otherwise be decoded lossily and alias another.
    return await readdir(absolute, { withFileTypes: true, encoding: 'buffer' });
  } catch (error) {
    throw fileError(error, absolute);
  }
}

/** An entry's name as UTF-8. @throws RAMPART_FILE_UNREADABLE for a name that is not UTF-8 */
export function entryName(root: string, folder: string, entry: Dirent<Buffer>): string {
  try {
    return UTF8.decode(entry.name);
  } catch (error) {
    const where = path.join(root, folder);
    throw new RampartError(
      'RAMPART_FILE_UNREADABLE',
      `${where}: contains a file name that is not valid UTF-8`,
      {
        cause: error,
        hint: 'Rename the file to a UTF-8 name; manifests name files in UTF-8.',
        details: { path: where },
      },
    );
  }
}

function unsupported(absolute: string, entry: Dirent<Buffer>): RampartError {
  const kind = entry.isSymbolicLink()
    ? 'a symbolic link'
    : entry.isSocket()
      ? 'a socket'
      : entry.isFIFO()
        ? 'a FIFO'
        : 'a device';
  return new RampartError(
    'RAMPART_FILE_TYPE_UNSUPPORTED',
    `${absolute}: is ${kind}, not a regular file`,
    {
      details: { path: absolute },
    },
  );
}

function tooManyFiles(root: string, maxFiles: number): RampartError {
  return new RampartError(
    'RAMPART_LIMIT_EXCEEDED',
    `${root}: more than ${maxFiles} files and folders`,
    {
      details: { path: root, limit: maxFiles },
    },
  );
}
