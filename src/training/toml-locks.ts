/**
 * poetry.lock and uv.lock: `[[package]]` tables with `name`, `version`, a `source` and the
 * hashes of their files. Both are read with the TOML subset parser.
 */
import { RampartError } from '../core/index.js';
import type { ParsedDependency } from './lockfile.js';
import { isPackageName, normalisePackageName } from './names.js';
import {
  parseTomlSubset,
  type TomlDocument,
  type TomlTable,
  type TomlValue,
} from './toml-subset.js';

/**
 * The dependencies of a poetry.lock: hashes from `files` (lock 2.x) or `[metadata.files]`
 * (lock 1.x); a git, url, file or directory source does not count as pinned.
 * @throws RAMPART_LOCKFILE_INVALID
 */
export function parsePoetryLock(text: string, file: string): ParsedDependency[] {
  const doc = parseTomlSubset(text, file);
  const metadata = doc.root.metadata;
  const legacyFiles = isTable(metadata) && isTable(metadata.files) ? metadata.files : undefined;
  return packages(doc, file).map(({ entry, name, version, line }) => {
    const files = entry.files ?? legacyFiles?.[name];
    const hashes = listOf(files).flatMap((f) =>
      isTable(f) && typeof f.hash === 'string' ? [f.hash] : [],
    );
    const source = isTable(entry.source) ? entry.source.type : undefined;
    const local = typeof source === 'string' && source !== 'legacy' && source !== 'supplemental';
    return dependency(name, version, hashes, line, local ? `${source} source` : undefined);
  });
}

/**
 * The dependencies of a uv.lock: hashes from `sdist` and `wheels`; the project itself and
 * workspace members (`editable`/`virtual` sources) are not dependencies and are left out;
 * git, url, path and directory sources do not count as pinned.
 * @throws RAMPART_LOCKFILE_INVALID
 */
export function parseUvLock(text: string, file: string): ParsedDependency[] {
  const doc = parseTomlSubset(text, file);
  return packages(doc, file).flatMap(({ entry, name, version, line }) => {
    const source = isTable(entry.source) ? Object.keys(entry.source)[0] : undefined;
    if (source === 'editable' || source === 'virtual') return [];
    const dists = [entry.sdist, ...listOf(entry.wheels)];
    const hashes = dists.flatMap((d) => (isTable(d) && typeof d.hash === 'string' ? [d.hash] : []));
    const unpinned = source === undefined || source === 'registry' ? undefined : `${source} source`;
    return [dependency(name, version, hashes, line, unpinned)];
  });
}

interface PackageEntry {
  readonly entry: TomlTable;
  readonly name: string;
  readonly version: string | undefined;
  readonly line: number | undefined;
}

function packages(doc: TomlDocument, file: string): PackageEntry[] {
  const list = doc.root.package;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw invalid(file, undefined, 'package is not an array of tables');
  return list.map((entry) => {
    if (!isTable(entry)) throw invalid(file, undefined, 'package is not an array of tables');
    const line = doc.lineOf(entry);
    const { name, version } = entry;
    if (typeof name !== 'string' || !isPackageName(name)) {
      throw invalid(file, line, '[[package]] without a valid name');
    }
    if (version !== undefined && typeof version !== 'string') {
      throw invalid(file, line, `[[package]] ${name}: version is not a string`);
    }
    return { entry, name, version, line };
  });
}

function dependency(
  name: string,
  version: string | undefined,
  hashes: string[],
  line: number | undefined,
  unpinned: string | undefined,
): ParsedDependency {
  return {
    name: normalisePackageName(name),
    ...(version === undefined ? {} : { version }),
    ...(unpinned !== undefined
      ? { unpinned }
      : version === undefined
        ? { unpinned: 'no version' }
        : {}),
    hashes,
    ...(line === undefined ? {} : { line }),
  };
}

function invalid(file: string, line: number | undefined, why: string): RampartError {
  return new RampartError(
    'RAMPART_LOCKFILE_INVALID',
    `${file}${line === undefined ? '' : `:${line}`}: ${why}`,
    {
      details: { path: file, ...(line === undefined ? {} : { line }) },
    },
  );
}

function listOf(value: TomlValue | undefined): readonly TomlValue[] {
  return Array.isArray(value) ? value : [];
}

function isTable(value: TomlValue | undefined): value is TomlTable {
  return typeof value === 'object' && !Array.isArray(value);
}
