/** Store access for models, immutable versions, their lineage, aliases and quarantines. */
import { isRampartError, RampartError } from '../core/index.js';
import type { Executor, Store } from '../store/index.js';
import { versionLabel, type ModelRef } from './model-names.js';

/** One file of a registered version: its path in the model and its blob digest. */
export interface ModelFileEntry {
  readonly path: string;
  readonly digest: string;
  readonly size: number;
}

/** The stored manifest of a version (canonical JSON in the store). */
export interface ModelManifest {
  readonly format: 'rampart.model-manifest/v1';
  /** The subject name the OMS signature uses (the base name of what was registered). */
  readonly subject: string;
  readonly files: readonly ModelFileEntry[];
}

/** What the scan at registration found. */
export interface ScanSummary {
  readonly verdict: 'clean' | 'findings' | 'incomplete';
  readonly findings: number;
  readonly problems: number;
  readonly highest: string | null;
}

/** A dataset version a model version was trained on. */
export interface DatasetLink {
  readonly name: string;
  readonly sequence: number;
  readonly digest: string;
}

/** A registered version, as stored (immutable). */
export interface ModelVersionRecord {
  readonly name: string;
  readonly version: number;
  /** `sha256:<hex>`: the OMS root digest of the files. */
  readonly digest: string;
  readonly manifest: ModelManifest;
  /** The OMS signature bundle (JSON text). */
  readonly bundle: string;
  /** Blob digest of the SARIF scan report kept as evidence. */
  readonly scanDigest: string;
  readonly scan: ScanSummary;
  readonly runId: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly datasets: readonly DatasetLink[];
}

/** A quarantine of a version. */
export interface Quarantine {
  readonly reason: string;
  readonly by: string;
  readonly at: string;
}

interface VersionRow {
  [key: string]: unknown;
  name: string;
  version: number;
  digest: string;
  manifest: string;
  bundle: string;
  scan_digest: string;
  scan_summary: string;
  run_id: string | null;
  created_by: string;
  created_at: string;
}

const COLUMNS =
  'name, version, digest, manifest, bundle, scan_digest, scan_summary, run_id, created_by, created_at';

/**
 * Inserts a new version with the next number (retrying when another writer took it), and its
 * lineage. Nothing existing is changed: versions and lineage are insert-only.
 */
export async function insertModelVersion(
  store: Store,
  input: Omit<ModelVersionRecord, 'version'>,
): Promise<ModelVersionRecord> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.transaction(async (tx) => {
        await tx.run(
          'INSERT INTO models (name, created_at, created_by) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM models WHERE name = ?)',
          [input.name, input.createdAt, input.createdBy, input.name],
        );
        const [row] = await tx.query<{ last: number | null }>(
          'SELECT MAX(version) AS last FROM model_versions WHERE name = ?',
          [input.name],
        );
        const version = (row?.last ?? 0) + 1;
        await tx.run(
          `INSERT INTO model_versions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            input.name,
            version,
            input.digest,
            JSON.stringify(input.manifest),
            input.bundle,
            input.scanDigest,
            JSON.stringify(input.scan),
            input.runId,
            input.createdBy,
            input.createdAt,
          ],
        );
        let position = 0;
        for (const link of input.datasets) {
          await tx.run(
            'INSERT INTO model_version_datasets (name, version, position, dataset_name, dataset_seq, dataset_digest) VALUES (?, ?, ?, ?, ?, ?)',
            [input.name, version, position++, link.name, link.sequence, link.digest],
          );
        }
        return { ...input, version };
      });
    } catch (error) {
      if (attempt < 5 && isRampartError(error, 'RAMPART_STORE_CONFLICT')) continue;
      throw error;
    }
  }
}

/** The version with this number, or undefined. */
export async function findModelVersion(
  db: Executor,
  name: string,
  version: number,
): Promise<ModelVersionRecord | undefined> {
  const [row] = await db.query<VersionRow>(
    `SELECT ${COLUMNS} FROM model_versions WHERE name = ? AND version = ?`,
    [name, version],
  );
  return row === undefined ? undefined : toRecord(row, await linksOf(db, name, version));
}

/**
 * The version a reference names (a number, an alias, or the latest).
 * @throws RAMPART_MODEL_NOT_FOUND
 */
export async function resolveModelVersion(
  db: Executor,
  ref: ModelRef,
): Promise<ModelVersionRecord> {
  const { name, selector } = ref;
  let version: number | undefined;
  if (selector.kind === 'number') version = selector.version;
  else if (selector.kind === 'alias') version = (await aliasesOf(db, name))[selector.alias];
  else {
    const [row] = await db.query<{ last: number | null }>(
      'SELECT MAX(version) AS last FROM model_versions WHERE name = ?',
      [name],
    );
    version = row?.last === null || row?.last === undefined ? undefined : row.last;
  }
  const record = version === undefined ? undefined : await findModelVersion(db, name, version);
  if (record === undefined) {
    const what =
      selector.kind === 'alias'
        ? `${name}@${selector.alias}`
        : selector.kind === 'number'
          ? versionLabel(name, selector.version)
          : name;
    throw new RampartError('RAMPART_MODEL_NOT_FOUND', `no model version ${what} is registered`);
  }
  return record;
}

/** Every version of a model, oldest first. */
export async function listModelVersions(db: Executor, name: string): Promise<ModelVersionRecord[]> {
  const rows = await db.query<VersionRow>(
    `SELECT ${COLUMNS} FROM model_versions WHERE name = ? ORDER BY version`,
    [name],
  );
  return Promise.all(
    rows.map(async (row) => toRecord(row, await linksOf(db, row.name, row.version))),
  );
}

/** Every model name with its number of versions. */
export async function listModels(db: Executor): Promise<{ name: string; versions: number }[]> {
  const rows = await db.query<{ name: string; versions: number }>(
    'SELECT m.name AS name, COUNT(v.version) AS versions FROM models m LEFT JOIN model_versions v ON v.name = m.name GROUP BY m.name ORDER BY m.name',
  );
  return rows.map((row) => ({ name: row.name, versions: row.versions }));
}

/** A model's aliases: alias → version. */
export async function aliasesOf(db: Executor, name: string): Promise<Record<string, number>> {
  const rows = await db.query<{ alias: string; version: number }>(
    'SELECT alias, version FROM model_aliases WHERE name = ? ORDER BY alias',
    [name],
  );
  return Object.fromEntries(rows.map((row) => [row.alias, row.version]));
}

/** Points `alias` at `version` (creating or moving it). */
export async function setAlias(
  db: Executor,
  input: {
    name: string;
    alias: string;
    version: number;
    by: string;
    at: string;
    requestId: string | null;
  },
): Promise<void> {
  const changed = await db.run(
    'UPDATE model_aliases SET version = ?, request_id = ?, updated_by = ?, updated_at = ? WHERE name = ? AND alias = ?',
    [input.version, input.requestId, input.by, input.at, input.name, input.alias],
  );
  if (changed.changes === 0) {
    await db.run(
      'INSERT INTO model_aliases (name, alias, version, request_id, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      [input.name, input.alias, input.version, input.requestId, input.by, input.at],
    );
  }
}

/** Removes every alias pointing at a version; returns the aliases removed. */
export async function dropAliasesOf(
  db: Executor,
  name: string,
  version: number,
): Promise<string[]> {
  const rows = await db.query<{ alias: string }>(
    'SELECT alias FROM model_aliases WHERE name = ? AND version = ? ORDER BY alias',
    [name, version],
  );
  await db.run('DELETE FROM model_aliases WHERE name = ? AND version = ?', [name, version]);
  return rows.map((row) => row.alias);
}

/** The quarantine of a version, or null. */
export async function quarantineOf(
  db: Executor,
  name: string,
  version: number,
): Promise<Quarantine | null> {
  const [row] = await db.query<{ reason: string; created_by: string; created_at: string }>(
    'SELECT reason, created_by, created_at FROM model_quarantines WHERE name = ? AND version = ?',
    [name, version],
  );
  return row === undefined ? null : { reason: row.reason, by: row.created_by, at: row.created_at };
}

/** Records a quarantine (a second one keeps the first). */
export async function insertQuarantine(
  db: Executor,
  input: { name: string; version: number } & Quarantine,
): Promise<void> {
  if ((await quarantineOf(db, input.name, input.version)) !== null) return;
  await db.run(
    'INSERT INTO model_quarantines (name, version, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?)',
    [input.name, input.version, input.reason, input.by, input.at],
  );
}

async function linksOf(db: Executor, name: string, version: number): Promise<DatasetLink[]> {
  const rows = await db.query<{
    dataset_name: string;
    dataset_seq: number;
    dataset_digest: string;
  }>(
    'SELECT dataset_name, dataset_seq, dataset_digest FROM model_version_datasets WHERE name = ? AND version = ? ORDER BY position',
    [name, version],
  );
  return rows.map((row) => ({
    name: row.dataset_name,
    sequence: row.dataset_seq,
    digest: row.dataset_digest,
  }));
}

function toRecord(row: VersionRow, datasets: DatasetLink[]): ModelVersionRecord {
  return {
    name: row.name,
    version: row.version,
    digest: row.digest,
    manifest: JSON.parse(row.manifest) as ModelManifest,
    bundle: row.bundle,
    scanDigest: row.scan_digest,
    scan: JSON.parse(row.scan_summary) as ScanSummary,
    runId: row.run_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    datasets,
  };
}
