/**
 * The imported advisory store in the state folder: `<home>/advisories/index.json` names the
 * current snapshot folder, which holds one JSON file per (ecosystem, package) —
 * `<snapshot>/pypi/<name>.json`, `<snapshot>/npm/<name>.json` — with that package's OSV
 * records. An audit reads only the files of the packages it is asked about.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { RampartError, systemErrorCode } from '../core/index.js';
import type { AdvisorySource, PackageAdvisories } from './advisory-db.js';
import { packageKey, packageName, type AdvisoryEcosystem } from './ecosystem.js';
import { parseAdvisory, type Advisory } from './osv.js';

/** The store layout version written to index.json. */
export const ADVISORY_STORE_FORMAT = 1;
/** Largest package file read (the biggest PyPI package file is well under 1 MiB). */
export const MAX_PACKAGE_FILE_BYTES = 256 * 1024 * 1024;
const MAX_INDEX_BYTES = 1024 * 1024;

/** index.json: what was imported, from where, when, and a digest of the store's files. */
export interface AdvisoryIndex {
  readonly format_version: number;
  readonly source: string;
  readonly source_kind: 'folder' | 'zip';
  readonly source_digest?: string;
  readonly imported_at: string;
  /** The snapshot folder holding the package files. */
  readonly snapshot: string;
  /** `sha256:` over the sorted list of `<file> <sha256>` lines of every package file. */
  readonly digest: string;
  readonly records: number;
  /** Records per ecosystem (a record naming packages of two ecosystems counts in both). */
  readonly ecosystems: Readonly<Record<string, number>>;
  readonly packages: number;
  readonly withdrawn_skipped: number;
  readonly other_ecosystems_skipped: number;
  readonly duplicates_skipped: number;
  readonly invalid_skipped: number;
  readonly ignored_files: number;
}

/** `<home>/advisories`. */
export function advisoriesFolder(home: string): string {
  return path.join(home, 'advisories');
}

/** The file of one package inside a snapshot, e.g. `npm/%40types%2Fnode.json`. */
export function packageFile(ecosystem: AdvisoryEcosystem, key: string): string {
  return `${ecosystem.toLowerCase()}/${encodeURIComponent(key)}.json`;
}

/**
 * Reads `<home>/advisories/index.json`; undefined when nothing was imported.
 * @throws RAMPART_ADVISORY_STORE_INVALID when it exists but is not an index Rampart wrote
 */
export async function readAdvisoryIndex(home: string): Promise<AdvisoryIndex | undefined> {
  const file = path.join(advisoriesFolder(home), 'index.json');
  let bytes: Buffer;
  try {
    if ((await stat(file)).size > MAX_INDEX_BYTES) throw damaged(file, 'larger than 1 MiB');
    bytes = await readFile(file);
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return undefined;
    throw error instanceof RampartError ? error : damaged(file, 'cannot be read', error);
  }
  let index: unknown;
  try {
    index = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw damaged(file, 'not JSON', error);
  }
  if (!isIndex(index)) throw damaged(file, 'not an advisory index');
  if (index.format_version !== ADVISORY_STORE_FORMAT) {
    throw damaged(file, `format version ${index.format_version} is not ${ADVISORY_STORE_FORMAT}`);
  }
  return index;
}

/** The imported store, read per package on demand. */
export class ImportedAdvisoryDatabase implements AdvisorySource {
  readonly root: string;
  readonly index: AdvisoryIndex;
  private readonly cache = new Map<string, Promise<PackageAdvisories>>();
  private filesRead = 0;

  private constructor(root: string, index: AdvisoryIndex) {
    this.root = root;
    this.index = index;
  }

  /**
   * Opens the store of `home`; undefined when nothing was imported there.
   * @throws RAMPART_ADVISORY_STORE_INVALID when index.json is damaged
   */
  static async open(home: string): Promise<ImportedAdvisoryDatabase | undefined> {
    const index = await readAdvisoryIndex(home);
    if (index === undefined) return undefined;
    return new ImportedAdvisoryDatabase(path.join(advisoriesFolder(home), index.snapshot), index);
  }

  /** Package files read so far (to show the reading is per package). */
  get fileCount(): number {
    return this.filesRead;
  }

  /** The advisories naming `name` of `ecosystem` (withdrawn records were left out at import). */
  advisoriesFor(name: string, ecosystem: AdvisoryEcosystem): Promise<PackageAdvisories> {
    const wanted = packageName(ecosystem, name);
    const cacheKey = `${ecosystem}\0${wanted}`;
    let pending = this.cache.get(cacheKey);
    if (pending === undefined) {
      pending = this.load(ecosystem, wanted);
      this.cache.set(cacheKey, pending);
    }
    return pending;
  }

  private async load(ecosystem: AdvisoryEcosystem, wanted: string): Promise<PackageAdvisories> {
    const file = path.join(this.root, packageFile(ecosystem, packageKey(ecosystem, wanted)));
    let text: string;
    try {
      if ((await stat(file)).size > MAX_PACKAGE_FILE_BYTES) {
        return { advisories: [], errors: [damaged(file, 'larger than the limit')], withdrawn: 0 };
      }
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (systemErrorCode(error) === 'ENOENT') return { advisories: [], errors: [], withdrawn: 0 };
      return { advisories: [], errors: [damaged(file, 'cannot be read', error)], withdrawn: 0 };
    }
    this.filesRead++;
    let records: unknown;
    try {
      records = (JSON.parse(text) as { records?: unknown }).records;
    } catch (error) {
      return { advisories: [], errors: [damaged(file, 'not JSON', error)], withdrawn: 0 };
    }
    if (!Array.isArray(records)) {
      return { advisories: [], errors: [damaged(file, 'no records list')], withdrawn: 0 };
    }
    const advisories: Advisory[] = [];
    const errors: RampartError[] = [];
    let withdrawn = 0;
    for (const record of records) {
      try {
        const advisory = parseAdvisory(record, file);
        if (!advisory.affected.some((a) => a.ecosystem === ecosystem && a.name === wanted))
          continue;
        if (advisory.withdrawn === undefined) advisories.push(advisory);
        else withdrawn++;
      } catch (error) {
        errors.push(error instanceof RampartError ? error : damaged(file, 'bad record', error));
      }
    }
    return { advisories, errors, withdrawn };
  }
}

function damaged(file: string, why: string, cause?: unknown): RampartError {
  return new RampartError('RAMPART_ADVISORY_STORE_INVALID', `${file}: ${why}`, {
    cause,
    details: { path: file },
  });
}

function isIndex(value: unknown): value is AdvisoryIndex {
  if (typeof value !== 'object' || value === null) return false;
  const index = value as Record<string, unknown>;
  return (
    typeof index.format_version === 'number' &&
    typeof index.snapshot === 'string' &&
    /^snapshot-[A-Za-z0-9-]+$/.test(index.snapshot) &&
    typeof index.digest === 'string' &&
    typeof index.records === 'number' &&
    typeof index.ecosystems === 'object' &&
    index.ecosystems !== null
  );
}
