/** Re-verifying a dataset version: re-hash the files, compare, check the signed provenance. */
import path from 'node:path';
import type { AppendReceipt } from '../audit/index.js';
import { isRampartError, RampartError, sha256, VerifyCache, type Digest } from '../core/index.js';
import { unknownVersion } from './add.js';
import { compareManifests, isClean, type ManifestDiff } from './compare.js';
import { datasetEvent, type DatasetContext } from './context.js';
import { buildManifest, type DatasetManifest } from './manifest.js';
import { parseManifest } from './manifest-parse.js';
import { parseDatasetRef, versionLabel } from './names.js';
import { openProvenance } from './provenance.js';
import { findVersion, type VersionRecord } from './repository.js';

/** Whether the stored provenance verified, and why not. */
export interface ProvenanceCheck {
  readonly verified: boolean;
  readonly error?: { readonly code: string; readonly message: string };
}

/** The outcome of `data verify`: verified only when the files and the provenance both are. */
export interface VerifyDatasetResult {
  readonly verified: boolean;
  readonly label: string;
  readonly digest: Digest;
  /** The file or folder that was re-hashed. */
  readonly path: string;
  readonly provenance: ProvenanceCheck;
  readonly changed: ManifestDiff['changed'];
  readonly missing: ManifestDiff['missing'];
  readonly added: ManifestDiff['added'];
  /** Files answered from the incremental cache (unchanged stat key), not read again. */
  readonly cacheHits: number;
  readonly audit: AppendReceipt;
}

/**
 * Re-hashes a dataset version (from `at`, default the path it was registered from) and
 * compares every file with the stored manifest, whose own digest must match the signed
 * provenance. With `context.cacheFolder`, files whose stat key (device, inode, size, mtime,
 * ctime) is unchanged since a previous verify are answered from the cache instead of read. Differences are data in the result; a version whose stored manifest is damaged
 * cannot be compared and throws, after its audit entry.
 * @throws RAMPART_DATASET_NAME_INVALID, RAMPART_DATASET_NOT_FOUND, RAMPART_DATASET_RECORD_INVALID,
 *   RAMPART_FILE_* (the path cannot be read: nothing is reported as verified), RAMPART_STORE_*
 */
export async function verifyDatasetVersion(
  context: DatasetContext,
  refText: string,
  at?: string,
): Promise<VerifyDatasetResult> {
  const ref = parseDatasetRef(refText);
  const record = await findVersion(context.store, ref);
  if (record === undefined) throw unknownVersion(ref);
  const label = versionLabel(record.name, record.sequence);
  const resource = { id: label, digest: record.digest };
  let manifest: DatasetManifest;
  try {
    manifest = storedManifest(record, label);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await context.audit.append(
      datasetEvent(context, 'dataset.verify', resource, { allowed: false, reason }),
    );
    throw error;
  }
  const provenance = checkProvenance(context, record, label);
  const root = path.resolve(at ?? record.path);
  const cache =
    context.cacheFolder === undefined
      ? undefined
      : await VerifyCache.open(context.cacheFolder, root, context.readCache ?? true);
  const current = await buildManifest(root, {
    pool: context.pool,
    chunkSize: manifest.chunkSize,
    ignorePaths: manifest.ignorePaths,
    withChunks: false,
    cache,
  });
  await cache?.save(root);
  const locate = (file: string) => (file === '.' ? root : path.join(root, file));
  const diff = await compareManifests(manifest, current, locate, context.pool);
  const verified = provenance.verified && isClean(diff);
  const reason = verified
    ? `all ${manifest.fileCount} files match and the provenance verifies`
    : failureReason(provenance, diff);
  const audit = await context.audit.append(
    datasetEvent(context, 'dataset.verify', resource, { allowed: verified, reason }),
  );
  const cacheHits = cache?.hits ?? 0;
  return {
    verified,
    label,
    digest: record.digest,
    path: root,
    provenance,
    ...diff,
    cacheHits,
    audit,
  };
}

/** The stored manifest, checked against the digests recorded beside it. */
function storedManifest(record: VersionRecord, label: string): DatasetManifest {
  const manifest = parseManifest(record.manifest, label);
  if (sha256(record.manifest) !== record.manifestDigest || manifest.digest !== record.digest) {
    throw new RampartError(
      'RAMPART_DATASET_RECORD_INVALID',
      `the stored manifest of ${label} does not match its recorded digests`,
      { details: { dataset: label } },
    );
  }
  return manifest;
}

function checkProvenance(
  context: DatasetContext,
  record: VersionRecord,
  label: string,
): ProvenanceCheck {
  try {
    openProvenance(record.provenance, context.trusted, {
      label,
      root: record.digest,
      manifestDigest: record.manifestDigest,
    });
    return { verified: true };
  } catch (error) {
    if (!isRampartError(error)) throw error;
    return { verified: false, error: { code: error.code, message: error.message } };
  }
}

function failureReason(provenance: ProvenanceCheck, diff: ManifestDiff): string {
  const parts = [
    ...(provenance.error === undefined ? [] : [provenance.error.message]),
    ...(diff.changed.length > 0 ? [`${diff.changed.length} changed`] : []),
    ...(diff.missing.length > 0 ? [`${diff.missing.length} missing`] : []),
    ...(diff.added.length > 0 ? [`${diff.added.length} added`] : []),
  ];
  return parts.join('; ');
}
