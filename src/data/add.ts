/** Registering a dataset version: manifest, signed provenance, one transaction, one audit entry. */
import path from 'node:path';
import { addReceipt, type AppendReceipt } from '../audit/index.js';
import { canonicalize, RampartError, sha256, type Digest } from '../core/index.js';
import type { Executor } from '../store/index.js';
import { datasetEvent, type DatasetContext } from './context.js';
import { buildManifest, type DatasetManifest } from './manifest.js';
import {
  checkDatasetName,
  checkSource,
  checkTransforms,
  MAX_PARENTS,
  parseCollectedAt,
  parseDatasetRef,
  versionLabel,
  type DatasetRef,
} from './names.js';
import { mayAddDatasetVersion } from './policy.js';
import { signProvenance, type DatasetProvenance } from './provenance.js';
import {
  findVersion,
  insertVersion,
  nextSequence,
  type VersionKey,
  type VersionRecord,
} from './repository.js';

/** What `data add` registers. */
export interface AddDatasetInput {
  /** The file or folder, absolute or relative to the working folder of the caller. */
  readonly path: string;
  readonly name: string;
  readonly source?: string | undefined;
  /** RFC 3339 time or plain date. */
  readonly collectedAt?: string | undefined;
  readonly transforms?: readonly string[] | undefined;
  /** `name@N` or `name@sha256:<hex>` of each parent version. */
  readonly parents?: readonly string[] | undefined;
  /** Chunk size of large files; default 64 MiB. */
  readonly chunkSize?: number | undefined;
}

/** What `data add` did. */
export interface AddDatasetResult {
  /** False when the same content was already registered under this name (nothing new stored). */
  readonly created: boolean;
  readonly name: string;
  readonly version: number;
  /** `name@N` */
  readonly label: string;
  readonly digest: Digest;
  readonly manifestDigest: Digest;
  readonly fileCount: number;
  readonly totalSize: number;
  readonly audit: AppendReceipt;
}

/**
 * Registers the file or folder at `input.path` as a new version of dataset `input.name`, or
 * reports the existing version with the same root digest. Input is checked before any
 * hashing, and the version and its parent links are stored in one transaction.
 * @throws RAMPART_DATASET_NAME_INVALID, RAMPART_DATASET_INPUT_INVALID, RAMPART_DATASET_REFUSED,
 *   RAMPART_DATASET_NOT_FOUND (unknown parent), RAMPART_FILE_*, RAMPART_STORE_*
 */
export async function addDatasetVersion(
  context: DatasetContext,
  input: AddDatasetInput,
): Promise<AddDatasetResult> {
  const name = checkDatasetName(input.name);
  const fields = {
    source: input.source === undefined ? null : checkSource(input.source),
    collectedAt: input.collectedAt === undefined ? null : parseCollectedAt(input.collectedAt),
    transforms: checkTransforms(input.transforms ?? []),
  };
  const parentRefs = parseParents(input.parents ?? []);
  const decision = mayAddDatasetVersion(context.principal, name);
  if (!decision.allowed) {
    await context.audit.append(datasetEvent(context, 'dataset.add', { id: name }, decision));
    throw new RampartError(
      'RAMPART_DATASET_REFUSED',
      `adding a version of ${name} is refused: ${decision.reason}`,
      {
        details: { dataset: name },
      },
    );
  }
  const root = path.resolve(input.path);
  const manifest = await buildManifest(root, { pool: context.pool, chunkSize: input.chunkSize });
  const stored = await context.store.transaction((tx) =>
    storeVersion(tx, context, { name, root, manifest, parentRefs, fields }),
  );
  const label = versionLabel(name, stored.record.sequence);
  const reason = stored.created
    ? `${decision.reason}; registered ${label}`
    : `same content as ${label}; no new version`;
  const audit = await context.audit.append(
    datasetEvent(
      context,
      'dataset.add',
      { id: label, digest: manifest.digest },
      { allowed: true, reason },
    ),
  );
  await addReceipt(context.store, {
    type: 'dataset-version',
    id: label,
    action: 'dataset.add',
    index: audit.index,
    at: context.now().toISOString(),
  });
  return {
    created: stored.created,
    name,
    version: stored.record.sequence,
    label,
    digest: stored.record.digest,
    manifestDigest: stored.record.manifestDigest,
    fileCount: stored.record.fileCount,
    totalSize: stored.record.totalSize,
    audit,
  };
}

interface Pending {
  readonly name: string;
  readonly root: string;
  readonly manifest: DatasetManifest;
  readonly parentRefs: readonly DatasetRef[];
  readonly fields: Pick<DatasetProvenance, 'source' | 'collectedAt' | 'transforms'>;
}

async function storeVersion(
  tx: Executor,
  context: DatasetContext,
  pending: Pending,
): Promise<{ created: boolean; record: VersionRecord }> {
  const { name, manifest } = pending;
  const parents = await resolveParents(tx, pending.parentRefs);
  const existing = await findVersion(tx, {
    name,
    version: { kind: 'digest', digest: manifest.digest },
  });
  if (existing !== undefined) return { created: false, record: existing };
  const sequence = await nextSequence(tx, name);
  const manifestText = canonicalize(manifest);
  const manifestDigest = sha256(manifestText);
  const now = context.now().toISOString();
  const provenance: DatasetProvenance = {
    dataset: name,
    version: sequence,
    manifest: {
      digest: manifestDigest,
      chunkSize: manifest.chunkSize,
      fileCount: manifest.fileCount,
      totalSize: manifest.totalSize,
    },
    ...pending.fields,
    parents: parents.map((parent) => ({
      name: versionLabel(parent.name, parent.sequence),
      digest: parent.digest,
    })),
    registeredBy: { subject: context.principal.subject, type: context.principal.type },
    registeredAt: now,
  };
  const envelope = await signProvenance(provenance, manifest.digest, context.signer);
  const record: VersionRecord = {
    name,
    sequence,
    digest: manifest.digest,
    fileCount: manifest.fileCount,
    totalSize: manifest.totalSize,
    createdAt: now,
    manifestDigest,
    manifest: manifestText,
    provenance: JSON.stringify(envelope),
    path: pending.root,
  };
  await insertVersion(tx, record, parents);
  return { created: true, record };
}

function parseParents(texts: readonly string[]): DatasetRef[] {
  if (texts.length > MAX_PARENTS) {
    throw new RampartError(
      'RAMPART_DATASET_INPUT_INVALID',
      `${texts.length} parents given; at most ${MAX_PARENTS} allowed`,
    );
  }
  const refs = texts.map((text) => parseDatasetRef(text, true));
  return refs;
}

async function resolveParents(
  tx: Executor,
  refs: readonly DatasetRef[],
): Promise<(VersionKey & { digest: Digest })[]> {
  const parents: (VersionKey & { digest: Digest })[] = [];
  for (const ref of refs) {
    const found = await findVersion(tx, ref);
    if (found === undefined) throw unknownVersion(ref, 'parent ');
    if (!parents.some((p) => p.name === found.name && p.sequence === found.sequence)) {
      parents.push({ name: found.name, sequence: found.sequence, digest: found.digest });
    }
  }
  return parents;
}

/** The error for a reference that selects no version. */
export function unknownVersion(ref: DatasetRef, role = ''): RampartError {
  const { version } = ref;
  const text =
    version.kind === 'latest'
      ? ref.name
      : `${ref.name}@${version.kind === 'sequence' ? version.sequence : version.digest}`;
  return new RampartError(
    'RAMPART_DATASET_NOT_FOUND',
    version.kind === 'latest'
      ? `there is no ${role}dataset named ${ref.name}`
      : `there is no ${role}dataset version ${text}`,
    { details: { ref: text } },
  );
}
