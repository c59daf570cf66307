/**
 * `deps db import`: OSV records (JSON or YAML, from a folder walk or a zip) into an indexed
 * store in the state folder. Every record is validated; a malformed one refuses the import
 * unless `skipInvalid` is set. The store is built in a temporary folder, renamed into place,
 * and only then made current by atomically replacing `index.json`: an import that fails at any
 * point leaves the previous store as it was.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RampartError, sha256, writeFileAtomic } from '../core/index.js';
import type { RecordEntry } from './advisory-walk.js';
import { isRecordName } from './advisory-walk.js';
import {
  ADVISORY_STORE_FORMAT,
  advisoriesFolder,
  packageFile,
  type AdvisoryIndex,
} from './advisory-store.js';
import { packageKey, type AdvisoryEcosystem } from './ecosystem.js';
import { parseAdvisory } from './osv.js';
import { decodeRecord } from './osv-record.js';

/** Import limits (documented in docs/dependency-audit.md). */
export const IMPORT_LIMITS = {
  /** Records (files) read from one source. */
  maxRecords: 1_000_000,
  /** Bytes of one record. */
  maxRecordBytes: 1024 * 1024,
  /** Bytes of all records together (they are held in memory while the store is built). */
  maxTotalBytes: 2 * 1024 ** 3,
} as const;

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const MAX_NAME = 214;

/** Where the records come from, for the index. */
export interface ImportSource {
  readonly path: string;
  readonly kind: 'folder' | 'zip';
  /** `sha256:<hex>` of the zip file, when the source is one. */
  readonly digest?: string;
}

/** Options for {@link importAdvisories}. */
export interface ImportOptions {
  readonly home: string;
  readonly source: ImportSource;
  /** Skip (and report) malformed records instead of refusing the import. */
  readonly skipInvalid?: boolean;
  readonly now?: () => Date;
}

/** A record left out with `skipInvalid`. */
export interface SkippedRecord {
  readonly name: string;
  readonly reason: string;
}

/** What an import did: the new index, and the records skipped as invalid. */
export interface ImportResult {
  readonly index: AdvisoryIndex;
  readonly skipped: readonly SkippedRecord[];
}

/**
 * Imports the records of `entries` into `<home>/advisories/`.
 * @throws RAMPART_ADVISORY_IMPORT_INVALID naming the first malformed record (without
 * `skipInvalid`) or the limit exceeded; the previous store is untouched
 */
export async function importAdvisories(
  entries: AsyncIterable<RecordEntry>,
  options: ImportOptions,
): Promise<ImportResult> {
  const buckets = new Map<
    string,
    { ecosystem: AdvisoryEcosystem; key: string; records: string[] }
  >();
  const seen = new Set<string>();
  const skipped: SkippedRecord[] = [];
  const counts = { records: 0, withdrawn: 0, otherEcosystems: 0, duplicates: 0, ignored: 0 };
  const ecosystems: Record<string, number> = {};
  let files = 0;
  let total = 0;
  for await (const entry of entries) {
    if (!isRecordName(entry.name)) {
      counts.ignored++;
      continue;
    }
    if (++files > IMPORT_LIMITS.maxRecords) refuse(`more than ${IMPORT_LIMITS.maxRecords} records`);
    total += entry.bytes.length;
    if (total > IMPORT_LIMITS.maxTotalBytes)
      refuse(`more than ${IMPORT_LIMITS.maxTotalBytes} bytes of records`);
    let record: ReturnType<typeof readRecord>;
    try {
      record = readRecord(entry);
    } catch (error) {
      if (!(error instanceof RampartError) || options.skipInvalid !== true) throw error;
      skipped.push({ name: entry.name, reason: error.message });
      continue;
    }
    const { advisory, json } = record;
    if (advisory.withdrawn !== undefined) {
      counts.withdrawn++;
      continue;
    }
    if (advisory.affected.length === 0) {
      counts.otherEcosystems++;
      continue;
    }
    if (seen.has(advisory.id)) {
      counts.duplicates++;
      continue;
    }
    seen.add(advisory.id);
    counts.records++;
    const touched = new Set<string>();
    for (const affected of advisory.affected) {
      const key = packageKey(affected.ecosystem, affected.name);
      const bucketKey = `${affected.ecosystem}/${key}`;
      if (touched.has(bucketKey)) continue;
      touched.add(bucketKey);
      const bucket = buckets.get(bucketKey) ?? { ecosystem: affected.ecosystem, key, records: [] };
      bucket.records.push(json);
      buckets.set(bucketKey, bucket);
    }
    for (const ecosystem of new Set(advisory.affected.map((a) => a.ecosystem)))
      ecosystems[ecosystem] = (ecosystems[ecosystem] ?? 0) + 1;
  }
  const now = (options.now?.() ?? new Date()).toISOString();
  const folder = advisoriesFolder(options.home);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const id = `snapshot-${now.replace(/[:.]/g, '')}-${randomBytes(4).toString('hex')}`;
  const temp = path.join(folder, `.import-${id}`);
  try {
    const digests: string[] = [];
    await mkdir(temp, { mode: 0o700 });
    for (const ecosystem of new Set([...buckets.values()].map((b) => b.ecosystem)))
      await mkdir(path.join(temp, ecosystem.toLowerCase()));
    for (const bucket of [...buckets.values()].sort((a, b) => compare(a.key, b.key))) {
      const relative = packageFile(bucket.ecosystem, bucket.key);
      const text = `{"ecosystem":${JSON.stringify(bucket.ecosystem)},"package":${JSON.stringify(bucket.key)},"records":[\n${bucket.records.join(',\n')}\n]}\n`;
      await writeFile(path.join(temp, relative), text, { mode: 0o600 });
      digests.push(`${relative} ${sha256(Buffer.from(text))}`);
    }
    digests.sort(compare);
    const index: AdvisoryIndex = {
      format_version: ADVISORY_STORE_FORMAT,
      source: options.source.path,
      source_kind: options.source.kind,
      ...(options.source.digest === undefined ? {} : { source_digest: options.source.digest }),
      imported_at: now,
      snapshot: id,
      digest: sha256(Buffer.from(`${digests.join('\n')}\n`)),
      records: counts.records,
      ecosystems,
      packages: buckets.size,
      withdrawn_skipped: counts.withdrawn,
      other_ecosystems_skipped: counts.otherEcosystems,
      duplicates_skipped: counts.duplicates,
      invalid_skipped: skipped.length,
      ignored_files: counts.ignored,
    };
    await rename(temp, path.join(folder, id));
    // The switch: readers follow index.json, which is replaced in one rename.
    await writeFileAtomic(path.join(folder, 'index.json'), `${JSON.stringify(index, null, 2)}\n`, {
      mode: 0o600,
      exclusive: false,
    });
    await removeOldSnapshots(folder, id);
    return { index, skipped };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

function readRecord(entry: RecordEntry): {
  advisory: ReturnType<typeof parseAdvisory>;
  json: string;
} {
  const bad = (why: string): RampartError =>
    new RampartError('RAMPART_ADVISORY_IMPORT_INVALID', `${entry.name}: ${why}`, {
      details: { path: entry.name },
    });
  if (entry.bytes.length > IMPORT_LIMITS.maxRecordBytes) {
    throw bad(`larger than ${IMPORT_LIMITS.maxRecordBytes} bytes`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(entry.bytes).replace(/^\uFEFF/, '');
  } catch {
    throw bad('not UTF-8 text');
  }
  const doc = decodeRecord(text, entry.name, 'RAMPART_ADVISORY_IMPORT_INVALID');
  let advisory: ReturnType<typeof parseAdvisory>;
  try {
    advisory = parseAdvisory(doc, entry.name);
  } catch (error) {
    throw error instanceof RampartError ? bad(error.message.replace(`${entry.name}: `, '')) : error;
  }
  // The OSV schema requires `id` and `modified`; ids and names also become file names.
  if (!ID.test(advisory.id))
    throw bad(`id ${JSON.stringify(advisory.id.slice(0, 80))} is not an OSV id`);
  const modified = (doc as Record<string, unknown>).modified;
  if (typeof modified !== 'string' || modified === '') throw bad('no "modified" time');
  const long = advisory.affected.find((a) => a.name === '' || a.name.length > MAX_NAME);
  if (long !== undefined) throw bad('an affected package name is empty or too long');
  return { advisory, json: JSON.stringify(doc) };
}

async function removeOldSnapshots(folder: string, current: string): Promise<void> {
  for (const name of await readdir(folder)) {
    if (name !== current && name.startsWith('snapshot-')) {
      await rm(path.join(folder, name), { recursive: true, force: true });
    }
  }
}

function refuse(why: string): never {
  throw new RampartError('RAMPART_ADVISORY_IMPORT_INVALID', `advisory import: ${why}`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
