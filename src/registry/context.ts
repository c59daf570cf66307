import type { KeyObject } from 'node:crypto';
import type { Config } from '../config/index.js';
import { RampartError, type HashPool } from '../core/index.js';
import type { DatasetServices } from '../data/index.js';
import {
  decideByRole,
  type AccessControl,
  type Action,
  type Principal,
  type Resource,
} from '../identity/index.js';
import type { BlobSource, StoredBlob, Store } from '../store/index.js';

/** The blob store the registry keeps artefacts and evidence in (encrypted at rest). */
export interface BlobKeeper {
  put(source: BlobSource): Promise<StoredBlob>;
  putFile(file: string): Promise<StoredBlob>;
  get(digest: string, options?: { maxBytes?: number }): Promise<Buffer>;
  has(digest: string): Promise<boolean>;
  /** Reads the whole blob back and re-hashes it. */
  verify(digest: string): Promise<StoredBlob>;
  exportTo(digest: string, destPath: string): Promise<StoredBlob>;
}

/** Everything the registry works with; built once per process (CLI command or server). */
export interface RegistryContext {
  readonly store: Store;
  readonly blobs: BlobKeeper;
  readonly access: AccessControl;
  /** Signs model versions and approval statements (the state folder's signing key). */
  readonly signingKey: KeyObject;
  /** The key stored signatures must verify with. */
  readonly trustedKey: KeyObject;
  /** Per-alias promotion policies (registry.aliases in rampart.yaml). */
  readonly policies: Config['registry']['aliases'];
  /** A private folder for staging copies of what is being registered. */
  readonly staging: string;
  readonly pool: HashPool;
  /** For verifying linked dataset versions at promotion (acting as the reviewer). */
  readonly datasets: DatasetServices;
  readonly toolVersion: string;
  readonly now: () => Date;
}

/**
 * Runs one operation as one audited decision: the role check for `permission` first (deny by
 * default), then `work`; the outcome — allowed (with `work`'s reason, if it gives one), or
 * refused with the error's message — is one audit entry, recorded as `action` (default: the
 * permission's name).
 * @throws RAMPART_FORBIDDEN when no role allows the permission; whatever `work` throws.
 */
export async function audited<T>(
  context: Pick<RegistryContext, 'access'>,
  actor: Principal,
  permission: Action | { readonly permission: Action; readonly action: string },
  resource: Resource,
  work: () => Promise<{
    result: T;
    digest?: string;
    evidence?: readonly string[];
    reason?: string;
  }>,
): Promise<T & { auditIndex: number }> {
  const checked = typeof permission === 'string' ? permission : permission.permission;
  const action = typeof permission === 'string' ? permission : permission.action;
  const byRole = decideByRole(actor, checked);
  if (!byRole.allowed) {
    const recorded = await context.access.record(actor, action, resource, byRole);
    throw new RampartError('RAMPART_FORBIDDEN', `${checked} refused: ${byRole.reason}`, {
      details: { action: checked, principal: actor.subject, auditIndex: recorded.auditIndex },
    });
  }
  let outcome: Awaited<ReturnType<typeof work>>;
  try {
    outcome = await work();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await context.access.record(actor, action, resource, { allowed: false, reason });
    throw error;
  }
  const recorded = await context.access.record(
    actor,
    action,
    outcome.digest === undefined ? resource : { ...resource, digest: outcome.digest },
    outcome.reason === undefined ? byRole : { allowed: true, reason: outcome.reason },
    outcome.evidence === undefined ? {} : { evidence: outcome.evidence },
  );
  return { ...outcome.result, auditIndex: recorded.auditIndex };
}
