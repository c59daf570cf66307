import type { KeyObject } from 'node:crypto';
import path from 'node:path';
import { openAuditLog, type AppendReceipt } from '../audit/index.js';
import {
  loadPrivateKey,
  localSigner,
  toPublicKey,
  type HashPool,
  type PublicKeyLike,
  type Signer,
} from '../core/index.js';
import type { State } from '../state/index.js';
import type { Store } from '../store/index.js';
import type { Principal } from '../identity/index.js';

/** Where dataset audit entries go (an AuditLog, or anything that appends like one). */
export interface AuditSink {
  append(event: unknown): Promise<AppendReceipt>;
}

/** What adding and verifying dataset versions needs. */
export interface DatasetContext {
  readonly store: Store;
  /** Signs provenance: the state folder's signing key. */
  readonly signer: Signer;
  /** The key provenance must verify with (the signing key's public half). */
  readonly trusted: PublicKeyLike;
  readonly audit: AuditSink;
  readonly principal: Principal;
  readonly pool: HashPool;
  readonly now: () => Date;
  /** Folder of the incremental verify cache; without it every verify rehashes everything. */
  readonly cacheFolder?: string;
  /** False (`data verify --no-cache`): rehash every file; fresh digests are still saved. */
  readonly readCache?: boolean;
}

/** A dataset context before it is bound to the principal acting. */
export type DatasetServices = Omit<DatasetContext, 'principal'>;

/**
 * The dataset services of an open state folder: its store, signing key, audit log and the
 * verify cache under `<home>/cache/dataset-verify`.
 * @throws RAMPART_KEY_* for a missing or damaged signing or checkpoint key.
 */
export async function datasetServices(state: State, pool: HashPool): Promise<DatasetServices> {
  const privateKey = await loadPrivateKey(state.layout.signingKey);
  const { log } = await openAuditLog(state.store, state.layout);
  return {
    store: state.store,
    signer: localSigner(privateKey),
    trusted: toPublicKey(privateKey),
    audit: log,
    pool,
    now: () => new Date(),
    cacheFolder: path.join(state.layout.home, 'cache', 'dataset-verify'),
  };
}

/**
 * The dataset context of an open state folder, acting as `principal`.
 * @throws RAMPART_KEY_* for a missing or damaged signing or checkpoint key.
 */
export async function datasetContext(
  state: State,
  pool: HashPool,
  principal: Principal,
): Promise<DatasetContext> {
  return { ...(await datasetServices(state, pool)), principal };
}

/**
 * The key dataset provenance of a state folder must verify with. Derived from the signing key,
 * so a stale signing.pub cannot disagree with it.
 * @throws RAMPART_KEY_* for a missing or damaged signing key.
 */
export async function datasetTrustedKey(state: State): Promise<KeyObject> {
  return toPublicKey(await loadPrivateKey(state.layout.signingKey));
}

/** The audit event of a dataset action. */
export function datasetEvent(
  context: DatasetContext,
  action: 'dataset.add' | 'dataset.verify',
  resource: { readonly id: string; readonly digest?: string },
  decision: { readonly allowed: boolean; readonly reason: string },
): unknown {
  return {
    actor: { subject: context.principal.subject, type: context.principal.type },
    action,
    resource: { type: 'dataset', ...resource },
    decision: { allowed: decision.allowed, reason: decision.reason.slice(0, 1024) },
  };
}
