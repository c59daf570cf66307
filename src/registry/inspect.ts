/** Reading the registry: models, versions, aliases, requests, and the CycloneDX ML-BOM. */
import { findRun } from '../training/index.js';
import { sha256 } from '../core/index.js';
import type { Principal } from '../identity/index.js';
import { buildModelBom } from './bom.js';
import { PREDICATE_TYPE } from './bundle.js';
import { receiptsOf } from '../audit/index.js';
import { audited, type RegistryContext } from './context.js';
import { parseModelRef, versionLabel } from './model-names.js';
import {
  asOf,
  listRequests,
  reviewsOf,
  type PromotionRequest,
  type PromotionReview,
} from './promotions-repo.js';
import {
  aliasesOf,
  listModels,
  listModelVersions,
  quarantineOf,
  resolveModelVersion,
  type ModelVersionRecord,
  type Quarantine,
} from './versions-repo.js';

/** A model: its versions and aliases. */
export interface ModelView {
  readonly name: string;
  readonly aliases: Readonly<Record<string, number>>;
  readonly versions: readonly {
    version: number;
    digest: string;
    createdBy: string;
    createdAt: string;
    quarantined: boolean;
  }[];
}

/** A review as shown: the signed statement by its digest. */
export interface ReviewSummary extends Omit<PromotionReview, 'statement' | 'requestId'> {
  readonly statementDigest: string;
}

/** One version with everything known about it. */
export interface VersionView {
  readonly name: string;
  readonly version: number;
  readonly digest: string;
  /** The model's aliases (alias → version), and those pointing at this version. */
  readonly aliases: Readonly<Record<string, number>>;
  readonly aliasesHere: readonly string[];
  readonly files: ModelVersionRecord['manifest']['files'];
  readonly scan: ModelVersionRecord['scan'] & { readonly sarif: string };
  readonly signature: { readonly bundleDigest: string };
  readonly datasets: ModelVersionRecord['datasets'];
  readonly runId: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly quarantine: Quarantine | null;
  readonly requests: readonly (PromotionRequest & {
    reviews: readonly ReviewSummary[];
  })[];
  readonly auditReceipts: readonly { action: string; index: number; at: string }[];
}

/**
 * `name` → the model with its versions and aliases; `name@v` or `name@alias` → that version.
 * @throws RAMPART_MODEL_NAME_INVALID, RAMPART_MODEL_NOT_FOUND, RAMPART_FORBIDDEN
 */
export async function showModel(
  context: RegistryContext,
  actor: Principal,
  refText: string,
): Promise<(ModelView | VersionView) & { auditIndex: number }> {
  return audited<ModelView | VersionView>(
    context,
    actor,
    'model.read',
    { type: 'model', id: refText.slice(0, 256) },
    async () => {
      const ref = parseModelRef(refText);
      if (ref.selector.kind === 'latest') {
        const versions = await listModelVersions(context.store, ref.name);
        if (versions.length === 0) await resolveModelVersion(context.store, ref);
        const view: ModelView = {
          name: ref.name,
          aliases: await aliasesOf(context.store, ref.name),
          versions: await Promise.all(
            versions.map(async (v) => ({
              version: v.version,
              digest: v.digest,
              createdBy: v.createdBy,
              createdAt: v.createdAt,
              quarantined: (await quarantineOf(context.store, v.name, v.version)) !== null,
            })),
          ),
        };
        return { result: view };
      }
      const record = await resolveModelVersion(context.store, ref);
      return { result: await versionView(context, record), digest: record.digest };
    },
  );
}

/** Every model with its number of versions and its aliases. */
export async function listRegisteredModels(
  context: RegistryContext,
  actor: Principal,
): Promise<{
  models: { name: string; versions: number; aliases: Record<string, number> }[];
  auditIndex: number;
}> {
  return audited(context, actor, 'model.read', { type: 'model', id: '*' }, async () => {
    const models = await listModels(context.store);
    const withAliases = await Promise.all(
      models.map(async (m) => ({ ...m, aliases: await aliasesOf(context.store, m.name) })),
    );
    return { result: { models: withAliases } };
  });
}

/** Promotion requests (optionally of one model), newest first. */
export async function listPromotionRequests(
  context: RegistryContext,
  actor: Principal,
  name?: string,
): Promise<{ requests: PromotionRequest[]; auditIndex: number }> {
  return audited(
    context,
    actor,
    'model.read',
    { type: 'promotion-request', id: name ?? '*' },
    async () => ({
      result: {
        requests: (await listRequests(context.store, name)).map((r) => asOf(r, context.now())),
      },
    }),
  );
}

/**
 * The CycloneDX 1.6 ML-BOM of a version: files, datasets, run, signature, scan, approvals.
 * @throws RAMPART_MODEL_NAME_INVALID, RAMPART_MODEL_NOT_FOUND, RAMPART_FORBIDDEN
 */
export async function modelBom(
  context: RegistryContext,
  actor: Principal,
  refText: string,
): Promise<{ bom: Record<string, unknown>; auditIndex: number }> {
  return audited(
    context,
    actor,
    'model.read',
    { type: 'model-version', id: refText.slice(0, 256) },
    async () => {
      const record = await resolveModelVersion(context.store, parseModelRef(refText, true));
      const view = await versionView(context, record);
      // The view already holds every review of this version's requests, with its digest.
      const approvals = view.requests.flatMap((request) =>
        request.reviews.map((review) => ({
          requestId: request.id,
          alias: request.alias,
          principal: review.principal,
          role: review.role,
          decision: review.decision,
          at: review.createdAt,
          statementDigest: review.statementDigest,
        })),
      );
      const bom = buildModelBom({
        model: {
          name: record.name,
          version: record.version,
          digest: record.digest,
          createdAt: record.createdAt,
          createdBy: record.createdBy,
          files: record.manifest.files,
          aliases: view.aliasesHere,
          quarantine:
            view.quarantine === null
              ? null
              : { reason: view.quarantine.reason, at: view.quarantine.at },
        },
        signature: {
          predicateType: PREDICATE_TYPE,
          bundleDigest: view.signature.bundleDigest,
          keyHint: null,
        },
        scan: {
          sarifDigest: record.scanDigest,
          findings: record.scan.findings,
          highest: record.scan.highest,
        },
        datasets: record.datasets.map((d) => ({
          name: d.name,
          version: d.sequence,
          digest: d.digest,
        })),
        run:
          record.runId === null
            ? null
            : {
                id: record.runId,
                provenanceDigest: (await findRun(context.store, record.runId)).provenanceDigest,
              },
        approvals,
        tool: { name: 'rampart', version: context.toolVersion },
        now: context.now(),
      });
      return { result: { bom }, digest: record.digest };
    },
  );
}

async function versionView(
  context: RegistryContext,
  record: ModelVersionRecord,
): Promise<VersionView> {
  const aliases = await aliasesOf(context.store, record.name);
  const label = versionLabel(record.name, record.version);
  const requests = (await listRequests(context.store, record.name))
    .map((r) => asOf(r, context.now()))
    .filter((r) => r.version === record.version);
  return {
    name: record.name,
    version: record.version,
    digest: record.digest,
    aliases,
    aliasesHere: Object.entries(aliases)
      .filter(([, version]) => version === record.version)
      .map(([alias]) => alias),
    files: record.manifest.files,
    scan: { ...record.scan, sarif: record.scanDigest },
    signature: { bundleDigest: sha256(record.bundle) },
    datasets: record.datasets,
    runId: record.runId,
    createdBy: record.createdBy,
    createdAt: record.createdAt,
    quarantine: await quarantineOf(context.store, record.name, record.version),
    requests: await Promise.all(
      requests.map(async (request) => ({
        ...request,
        reviews: (await reviewsOf(context.store, request.id)).map((review) => ({
          principal: review.principal,
          role: review.role,
          decision: review.decision,
          comment: review.comment,
          createdAt: review.createdAt,
          statementDigest: sha256(review.statement),
        })),
      })),
    ),
    auditReceipts: await receiptsOf(context.store, 'model-version', label),
  };
}
