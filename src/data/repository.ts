/**
 * The dataset tables (migration 0003): versions with their manifest and provenance, and the
 * parent links. Plain SQL, the same on SQLite and PostgreSQL.
 */
import type { Digest } from '../core/index.js';
import type { Executor } from '../store/index.js';
import type { DatasetRef } from './names.js';

/** A version without its (possibly large) manifest and its provenance. */
export interface VersionSummary {
  readonly name: string;
  readonly sequence: number;
  readonly digest: Digest;
  readonly fileCount: number;
  readonly totalSize: number;
  readonly createdAt: string;
}

/** A stored dataset version as it is in the store. */
export interface VersionRecord extends VersionSummary {
  readonly manifestDigest: Digest;
  /** Canonical JSON of the manifest. */
  readonly manifest: string;
  /** JSON of the DSSE envelope of the provenance statement. */
  readonly provenance: string;
  /** Absolute path the version was registered from (the default for verify). */
  readonly path: string;
}

/** A version by name and sequence number. */
export interface VersionKey {
  readonly name: string;
  readonly sequence: number;
}

type SummaryRow = {
  readonly name: string;
  readonly seq: number | string;
  readonly digest: string;
  readonly file_count: number | string;
  readonly total_size: number | string;
  readonly created_at: string;
};

type RecordRow = SummaryRow & {
  readonly manifest_digest: string;
  readonly manifest: string;
  readonly provenance: string;
  readonly path: string;
};

const SUMMARY = 'name, seq, digest, file_count, total_size, created_at';
const RECORD = `${SUMMARY}, manifest_digest, manifest, provenance, path`;

/** The sequence number the next version of `name` gets (1 for a new dataset). @throws RAMPART_STORE_* */
export async function nextSequence(executor: Executor, name: string): Promise<number> {
  const [row] = await executor.query<{ last: number | string | null }>(
    'SELECT MAX(seq) AS last FROM dataset_versions WHERE name = ?',
    [name],
  );
  return Number(row?.last ?? 0) + 1;
}

/**
 * Inserts a version and its parent links; run it in a transaction so both land or neither.
 * @throws RAMPART_STORE_CONFLICT when the sequence number or digest is taken meanwhile.
 */
export async function insertVersion(
  executor: Executor,
  record: VersionRecord,
  parents: readonly VersionKey[],
): Promise<void> {
  await executor.run(
    `INSERT INTO dataset_versions (${RECORD}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      record.name,
      record.sequence,
      record.digest,
      record.fileCount,
      record.totalSize,
      record.createdAt,
      record.manifestDigest,
      record.manifest,
      record.provenance,
      record.path,
    ],
  );
  for (const [position, parent] of parents.entries()) {
    await executor.run(
      'INSERT INTO dataset_parents (name, seq, position, parent_name, parent_seq) VALUES (?, ?, ?, ?, ?)',
      [record.name, record.sequence, position, parent.name, parent.sequence],
    );
  }
}

/** The version a reference selects (the latest for a bare name), if any. @throws RAMPART_STORE_* */
export async function findVersion(
  executor: Executor,
  ref: DatasetRef,
): Promise<VersionRecord | undefined> {
  const { version } = ref;
  const [row] =
    version.kind === 'latest'
      ? await executor.query<RecordRow>(
          `SELECT ${RECORD} FROM dataset_versions WHERE name = ? ORDER BY seq DESC LIMIT 1`,
          [ref.name],
        )
      : version.kind === 'sequence'
        ? await executor.query<RecordRow>(
            `SELECT ${RECORD} FROM dataset_versions WHERE name = ? AND seq = ?`,
            [ref.name, version.sequence],
          )
        : await executor.query<RecordRow>(
            `SELECT ${RECORD} FROM dataset_versions WHERE name = ? AND digest = ?`,
            [ref.name, version.digest],
          );
  return row === undefined ? undefined : toRecord(row);
}

/** Every version of every dataset, by name then sequence. @throws RAMPART_STORE_* */
export async function listVersions(executor: Executor): Promise<VersionSummary[]> {
  const rows = await executor.query<SummaryRow>(
    `SELECT ${SUMMARY} FROM dataset_versions ORDER BY name, seq`,
  );
  return rows.map(toSummary);
}

/** The parents of a version, in the order they were given. @throws RAMPART_STORE_* */
export async function parentsOf(executor: Executor, key: VersionKey): Promise<VersionKey[]> {
  const rows = await executor.query<{ parent_name: string; parent_seq: number | string }>(
    'SELECT parent_name, parent_seq FROM dataset_parents WHERE name = ? AND seq = ? ORDER BY position',
    [key.name, key.sequence],
  );
  return rows.map((row) => ({ name: row.parent_name, sequence: Number(row.parent_seq) }));
}

function toSummary(row: SummaryRow): VersionSummary {
  return {
    name: row.name,
    sequence: Number(row.seq),
    digest: row.digest as Digest,
    fileCount: Number(row.file_count),
    totalSize: Number(row.total_size),
    createdAt: row.created_at,
  };
}

function toRecord(row: RecordRow): VersionRecord {
  return {
    ...toSummary(row),
    manifestDigest: row.manifest_digest as Digest,
    manifest: row.manifest,
    provenance: row.provenance,
    path: row.path,
  };
}
