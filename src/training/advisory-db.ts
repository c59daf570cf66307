/**
 * An offline OSV advisory database laid out like github.com/pypa/advisory-database: one folder
 * per package (`vulns/<package>/`), one YAML or JSON record per advisory. Folders are read
 * lazily, only for the packages asked about, and each record has a size limit.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileError, readSmallFile, RampartError, systemErrorCode } from '../core/index.js';
import { packageName, type AdvisoryEcosystem } from './ecosystem.js';
import { normalisePackageName } from './names.js';
import { parseAdvisory, type Advisory } from './osv.js';
import { decodeRecord } from './osv-record.js';

/** Largest advisory record read (the biggest PyPA record is far below 100 KiB). */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** Most records read for one package. */
export const MAX_RECORDS_PER_PACKAGE = 10_000;

/** Options for {@link AdvisoryDatabase.open}. */
export interface AdvisoryDatabaseOptions {
  readonly maxRecordBytes?: number;
}

/** The advisories of one package, and the records that could not be read. */
export interface PackageAdvisories {
  readonly advisories: readonly Advisory[];
  readonly errors: readonly RampartError[];
  /** Withdrawn advisories skipped. */
  readonly withdrawn: number;
}

/** Where the audit gets advisories: a folder ({@link AdvisoryDatabase}) or an imported store. */
export interface AdvisorySource {
  /** The folder read, for the report. */
  readonly root: string;
  /** The advisories naming package `name` of `ecosystem`, withdrawn ones skipped. */
  advisoriesFor(name: string, ecosystem: AdvisoryEcosystem): Promise<PackageAdvisories>;
}

/** A folder of OSV records, read per package on demand. */
export class AdvisoryDatabase implements AdvisorySource {
  readonly root: string;
  private readonly folders: ReadonlyMap<string, readonly string[]>;
  private readonly maxRecordBytes: number;
  private readonly cache = new Map<string, Promise<PackageAdvisories>>();
  private recordsRead = 0;

  private constructor(root: string, folders: Map<string, string[]>, maxRecordBytes: number) {
    this.root = root;
    this.folders = folders;
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * Opens the database at `root` (a clone with `vulns/`, or the `vulns` folder itself). Only
   * the package folder names are listed here.
   * @throws RAMPART_ADVISORY_DB_MISSING when `root` is not such a folder
   */
  static async open(
    root: string,
    options: AdvisoryDatabaseOptions = {},
  ): Promise<AdvisoryDatabase> {
    const missing = (why: string, cause?: unknown): RampartError =>
      new RampartError('RAMPART_ADVISORY_DB_MISSING', `${root}: ${why}`, {
        cause,
        details: { path: root },
      });
    const info = await stat(root).catch((error: unknown) => {
      throw missing(
        systemErrorCode(error) === 'ENOENT' ? 'no such folder' : 'cannot be read',
        error,
      );
    });
    if (!info.isDirectory()) throw missing('not a folder');
    const vulns = path.join(root, 'vulns');
    const base = (await isFolder(vulns)) ? vulns : root;
    const entries = await readdir(base, { withFileTypes: true }).catch((error: unknown) => {
      throw fileError(error, base);
    });
    const folders = new Map<string, string[]>();
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const key = normalisePackageName(entry.name);
      folders.set(key, [...(folders.get(key) ?? []), path.join(base, entry.name)]);
    }
    if (folders.size === 0) throw missing('no package folders of OSV records');
    return new AdvisoryDatabase(base, folders, options.maxRecordBytes ?? MAX_RECORD_BYTES);
  }

  /** How many records have been read so far (to show the reading is lazy). */
  get recordCount(): number {
    return this.recordsRead;
  }

  /**
   * The advisories naming package `name` of `ecosystem` (default PyPI), withdrawn ones skipped.
   * The folder is found by the PEP 503 form of the name, as the PyPA layout names them.
   */
  advisoriesFor(name: string, ecosystem: AdvisoryEcosystem = 'PyPI'): Promise<PackageAdvisories> {
    const wanted = packageName(ecosystem, name);
    const cacheKey = `${ecosystem}\0${wanted}`;
    let pending = this.cache.get(cacheKey);
    if (pending === undefined) {
      pending = this.load(normalisePackageName(name), ecosystem, wanted);
      this.cache.set(cacheKey, pending);
    }
    return pending;
  }

  private async load(
    key: string,
    ecosystem: AdvisoryEcosystem,
    wanted: string,
  ): Promise<PackageAdvisories> {
    const advisories: Advisory[] = [];
    const errors: RampartError[] = [];
    let withdrawn = 0;
    for (const folder of this.folders.get(key) ?? []) {
      const files = (
        await readdir(folder).catch((error: unknown) => {
          throw fileError(error, folder);
        })
      )
        .filter((file) => /\.(ya?ml|json)$/i.test(file))
        .sort();
      if (files.length > MAX_RECORDS_PER_PACKAGE) {
        throw new RampartError(
          'RAMPART_LIMIT_EXCEEDED',
          `${folder}: more than ${MAX_RECORDS_PER_PACKAGE} records`,
          {
            details: { path: folder, limit: MAX_RECORDS_PER_PACKAGE },
          },
        );
      }
      for (const file of files) {
        const source = path.join(folder, file);
        try {
          const advisory = await this.readRecord(source);
          const names = (entry: Advisory['affected'][number]): boolean =>
            entry.ecosystem === ecosystem && entry.name === wanted;
          if (!advisory.affected.some(names)) continue;
          if (advisory.withdrawn === undefined) advisories.push(advisory);
          else withdrawn++;
        } catch (error) {
          errors.push(
            error instanceof RampartError
              ? error
              : new RampartError('RAMPART_ADVISORY_INVALID', `${source}: cannot be read`, {
                  cause: error,
                  details: { path: source },
                }),
          );
        }
      }
    }
    return { advisories, errors, withdrawn };
  }

  private async readRecord(source: string): Promise<Advisory> {
    const bytes = await readSmallFile(source, this.maxRecordBytes).catch((error: unknown) => {
      if (error instanceof RampartError && error.code === 'RAMPART_LIMIT_EXCEEDED') {
        throw new RampartError('RAMPART_ADVISORY_INVALID', `${source}: ${error.message}`, {
          cause: error,
          details: { path: source, limit: this.maxRecordBytes },
        });
      }
      throw error;
    });
    this.recordsRead++;
    return parseAdvisory(decodeRecord(bytes.toString('utf8'), source), source);
  }
}

async function isFolder(folder: string): Promise<boolean> {
  try {
    return (await stat(folder)).isDirectory();
  } catch {
    return false;
  }
}
