/** Reading dataset versions: show one, list all, walk the lineage back to the sources. */
import { receiptsOf, type Receipt } from '../audit/index.js';
import { isRampartError, RampartError, type Digest, type PublicKeyLike } from '../core/index.js';
import type { Executor } from '../store/index.js';
import { unknownVersion } from './add.js';
import { parseManifest } from './manifest-parse.js';
import { parseDatasetRef, versionLabel } from './names.js';
import { openProvenance, type DatasetProvenance } from './provenance.js';
import {
  findVersion,
  listVersions,
  type VersionRecord,
  type VersionSummary,
} from './repository.js';
import type { ProvenanceCheck } from './verify.js';

/** One version in detail. */
export interface DatasetVersionView extends VersionSummary {
  readonly label: string;
  readonly path: string;
  readonly manifest: {
    readonly digest: Digest;
    readonly chunkSize: number;
    readonly chunkedFiles: number;
    readonly ignorePaths: readonly string[];
  };
  /** The signed provenance; null when it does not verify (see `signature`). */
  readonly provenance: DatasetProvenance | null;
  readonly signature: ProvenanceCheck;
  /** Indexes of the audit entries about this version (`rampart audit proof <index>`). */
  readonly auditReceipts: readonly Receipt[];
}

/** A dataset and its versions. */
export interface DatasetListing {
  readonly name: string;
  readonly versions: readonly VersionSummary[];
}

/** One node of a lineage tree. */
export interface LineageNode {
  readonly label: string;
  readonly digest: Digest;
  readonly source: string | null;
  readonly transforms: readonly string[];
  readonly signature: ProvenanceCheck;
  /** True when this version appeared earlier in the tree; its parents are listed there. */
  readonly repeated: boolean;
  readonly parents: readonly LineageNode[];
}

const MAX_LINEAGE_NODES = 10_000;

/**
 * A version with its manifest summary and verified provenance.
 * @throws RAMPART_DATASET_NAME_INVALID, RAMPART_DATASET_NOT_FOUND, RAMPART_DATASET_RECORD_INVALID
 */
export async function showDatasetVersion(
  executor: Executor,
  trusted: PublicKeyLike,
  refText: string,
): Promise<DatasetVersionView> {
  const record = await requireVersion(executor, refText);
  const label = versionLabel(record.name, record.sequence);
  const manifest = parseManifest(record.manifest, label);
  const { provenance, signature } = readProvenance(record, trusted);
  return {
    name: record.name,
    sequence: record.sequence,
    digest: record.digest,
    fileCount: record.fileCount,
    totalSize: record.totalSize,
    createdAt: record.createdAt,
    label,
    path: record.path,
    manifest: {
      digest: record.manifestDigest,
      chunkSize: manifest.chunkSize,
      chunkedFiles: manifest.files.filter((file) => file.chunks !== undefined).length,
      ignorePaths: manifest.ignorePaths,
    },
    provenance,
    signature,
    auditReceipts: await receiptsOf(executor, 'dataset-version', label),
  };
}

/** Every dataset with its versions, by name. @throws RAMPART_STORE_* */
export async function listDatasets(executor: Executor): Promise<DatasetListing[]> {
  const listings = new Map<string, VersionSummary[]>();
  for (const version of await listVersions(executor)) {
    const versions = listings.get(version.name) ?? [];
    versions.push(version);
    listings.set(version.name, versions);
  }
  return [...listings].map(([name, versions]) => ({ name, versions }));
}

/**
 * The lineage of a version: its parents, theirs, and so on back to versions without parents.
 * Parents come from the signed provenance; a version whose provenance does not verify is
 * shown with its error and not walked further.
 * @throws RAMPART_DATASET_NAME_INVALID, RAMPART_DATASET_NOT_FOUND, RAMPART_LIMIT_EXCEEDED
 */
export async function datasetLineage(
  executor: Executor,
  trusted: PublicKeyLike,
  refText: string,
): Promise<LineageNode> {
  const seen = new Set<string>();
  const walk = async (record: VersionRecord): Promise<LineageNode> => {
    const label = versionLabel(record.name, record.sequence);
    const { provenance, signature } = readProvenance(record, trusted);
    const repeated = seen.has(label);
    seen.add(label);
    if (seen.size > MAX_LINEAGE_NODES) {
      throw new RampartError(
        'RAMPART_LIMIT_EXCEEDED',
        `the lineage of ${refText} has more than ${MAX_LINEAGE_NODES} versions`,
      );
    }
    const parents: LineageNode[] = [];
    for (const parent of repeated ? [] : (provenance?.parents ?? [])) {
      const found = await requireVersion(executor, parent.name);
      parents.push(await walk(found));
    }
    const node = { label, digest: record.digest, source: provenance?.source ?? null };
    return { ...node, transforms: provenance?.transforms ?? [], signature, repeated, parents };
  };
  return walk(await requireVersion(executor, refText));
}

async function requireVersion(executor: Executor, refText: string): Promise<VersionRecord> {
  const ref = parseDatasetRef(refText);
  const record = await findVersion(executor, ref);
  if (record === undefined) throw unknownVersion(ref);
  return record;
}

function readProvenance(
  record: VersionRecord,
  trusted: PublicKeyLike,
): { provenance: DatasetProvenance | null; signature: ProvenanceCheck } {
  const label = versionLabel(record.name, record.sequence);
  try {
    const expected = { label, root: record.digest, manifestDigest: record.manifestDigest };
    return {
      provenance: openProvenance(record.provenance, trusted, expected),
      signature: { verified: true },
    };
  } catch (error) {
    if (!isRampartError(error)) throw error;
    return {
      provenance: null,
      signature: { verified: false, error: { code: error.code, message: error.message } },
    };
  }
}
