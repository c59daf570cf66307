/** Re-verifying a stored version: every blob re-hashed, the manifest and the signature checked. */
import { RampartError } from '../core/index.js';
import type { Principal } from '../identity/index.js';
import { parseModelSignature } from './bundle.js';
import { audited, type RegistryContext } from './context.js';
import { rootDigestOf } from './manifest.js';
import { parseModelRef, versionLabel } from './model-names.js';
import { checkEnvelope } from './verify.js';
import { resolveModelVersion, type ModelVersionRecord } from './versions-repo.js';

/** A verified version. */
export interface VersionVerified {
  readonly name: string;
  readonly version: number;
  readonly digest: string;
  readonly files: number;
  readonly size: number;
}

/**
 * Re-hashes every stored blob of a version and checks its manifest and signature.
 * @throws RAMPART_MODEL_INTEGRITY naming every failure (after the audit entry),
 *   RAMPART_MODEL_NOT_FOUND, RAMPART_FORBIDDEN
 */
export async function verifyModelVersion(
  context: RegistryContext,
  actor: Principal,
  refText: string,
): Promise<VersionVerified & { auditIndex: number }> {
  return audited(
    context,
    actor,
    'model.read',
    { type: 'model-version', id: refText.slice(0, 256) },
    async () => {
      const record = await resolveModelVersion(context.store, parseModelRef(refText, true));
      const failures = await integrityFailures(context, record);
      const label = versionLabel(record.name, record.version);
      if (failures.length > 0) {
        throw new RampartError(
          'RAMPART_MODEL_INTEGRITY',
          `${label} does not verify: ${failures.join('; ')}`,
          {
            details: { version: label, failures },
          },
        );
      }
      const size = record.manifest.files.reduce((total, file) => total + file.size, 0);
      return {
        result: {
          name: record.name,
          version: record.version,
          digest: record.digest,
          files: record.manifest.files.length,
          size,
        },
        digest: record.digest,
      };
    },
  );
}

/**
 * Everything wrong with a stored version (empty when it verifies): the manifest against the
 * version digest, the signature against the registry key and the manifest, every blob's bytes.
 */
export async function integrityFailures(
  context: RegistryContext,
  record: ModelVersionRecord,
): Promise<string[]> {
  const failures: string[] = [];
  const files = record.manifest.files;
  const root = `sha256:${rootDigestOf(files.map((f) => ({ name: f.path, algorithm: 'sha256', digest: f.digest.slice(7) })))}`;
  if (root !== record.digest)
    failures.push(`the manifest hashes to ${root}, not to the version digest ${record.digest}`);
  try {
    const signature = parseModelSignature(record.bundle, 'stored signature');
    checkEnvelope(signature, context.trustedKey);
    if (`sha256:${signature.rootDigest}` !== record.digest) {
      failures.push(`the signature names ${signature.rootDigest}, not ${record.digest}`);
    }
    const signed = signature.resources.map((r) => `${r.name}=${r.digest}`).join('\n');
    const stored = files.map((f) => `${f.path}=${f.digest.slice(7)}`).join('\n');
    if (signed !== stored) failures.push('the signed file list differs from the stored manifest');
  } catch (error) {
    failures.push(`signature: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const file of files) {
    try {
      const kept = await context.blobs.verify(file.digest);
      if (kept.size !== file.size)
        failures.push(`${file.path}: ${kept.size} bytes stored, ${file.size} registered`);
    } catch (error) {
      failures.push(`${file.path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failures;
}
