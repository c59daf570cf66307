/**
 * Promotion: a protected alias moves only when a request for that version is approved by the
 * alias policy's roles (distinct reviewers, none of them the registrant, the requester or a
 * service account of theirs), and the gate over the whole chain passes at the moment of the move.
 */
import { findRun } from '../training/index.js';
import { randomBytes } from 'node:crypto';
import { RampartError } from '../core/index.js';
import { conflictOfInterest, findPrincipal, type Principal } from '../identity/index.js';
import { signReview } from './approval.js';
import { addReceipt } from '../audit/index.js';
import { audited, type RegistryContext } from './context.js';
import { runGate } from './gate.js';
import { checkAlias, parseModelRef, versionLabel } from './model-names.js';
import {
  closeRequest,
  findRequest,
  insertRequest,
  insertReview,
  reviewsOf,
  supersedeRequests,
  type EvidenceRef,
  type PromotionRequest,
} from './promotions-repo.js';
import { quarantineOf, resolveModelVersion, setAlias } from './versions-repo.js';

/** The policy of an alias; an alias without one is unprotected. */
export type AliasPolicy = RegistryContext['policies'][string];

/** An evidence file: a path to read, or bytes received over HTTP. */
export type EvidenceInput =
  { readonly path: string } | { readonly name: string; readonly bytes: Buffer };

/** What a promotion step did. */
export interface PromotionOutcome {
  readonly request: string;
  readonly state: PromotionRequest['state'];
  readonly name: string;
  readonly version: number;
  readonly alias: string;
  /** True when this step moved the alias. */
  readonly moved: boolean;
  /** Approvals still needed, by role (empty once the policy is met). */
  readonly pending: Readonly<Record<string, number>>;
}

/**
 * Opens a promotion request for `m@v` to `alias`, keeping the evidence files as blobs. For an
 * unprotected alias the alias moves at once (the request is recorded as approved).
 * @throws RAMPART_FORBIDDEN, RAMPART_MODEL_*, RAMPART_PROMOTION_REFUSED (no evidence), file errors
 */
export async function requestPromotion(
  context: RegistryContext,
  actor: Principal,
  input: { ref: string; alias: string; evidence: readonly EvidenceInput[] },
): Promise<PromotionOutcome & { auditIndex: number }> {
  const resource = { type: 'model-version', id: `${input.ref} -> ${input.alias}`.slice(0, 256) };
  return audited(context, actor, 'model.promote', resource, async () => {
    const alias = checkAlias(input.alias);
    const record = await resolveModelVersion(context.store, parseModelRef(input.ref, true));
    await refuseQuarantined(context, record.name, record.version);
    const policy = context.policies[alias];
    const isProtected = policy?.protected ?? false;
    if (isProtected && policy?.requireEvidence === true && input.evidence.length === 0) {
      throw new RampartError(
        'RAMPART_PROMOTION_REFUSED',
        `promoting to ${alias} needs evaluation evidence, and none is attached`,
        {
          hint: 'Attach the evaluation report with --evidence <file>.',
        },
      );
    }
    const evidence: EvidenceRef[] = [];
    for (const item of input.evidence) {
      const kept =
        'path' in item
          ? await context.blobs.putFile(item.path)
          : await context.blobs.put(item.bytes);
      const name = 'path' in item ? (item.path.split(/[\\/]/).pop() ?? item.path) : item.name;
      evidence.push({ name: name.slice(0, 256), digest: kept.digest, size: kept.size });
    }
    const now = context.now();
    const request: PromotionRequest = {
      id: `pr_${randomBytes(8).toString('hex')}`,
      name: record.name,
      version: record.version,
      alias,
      state: 'open',
      evidence,
      requestedBy: actor.subject,
      createdAt: now.toISOString(),
      expiresAt: new Date(
        now.getTime() + (policy?.requestTtlHours ?? 72) * 3_600_000,
      ).toISOString(),
      decidedAt: null,
      reason: null,
    };
    await insertRequest(context.store, request);
    let moved = false;
    if (!isProtected) {
      moved = await moveAlias(context, actor, request, `${alias} is not protected`);
    }
    return {
      result: outcome(
        request,
        moved ? 'approved' : 'open',
        moved,
        isProtected && policy !== undefined ? { ...policy.approvals } : {},
      ),
      digest: record.digest,
      evidence: evidence.map((e) => e.digest),
    };
  }).then(async (done) => {
    await receipt(context, done.request, 'model.promote', done.auditIndex);
    return done;
  });
}

/**
 * Records one reviewer's approval or rejection as a signed statement. When the approvals meet
 * the alias policy, the gate runs and the alias moves.
 * @throws RAMPART_FORBIDDEN, RAMPART_PROMOTION_NOT_FOUND, RAMPART_PROMOTION_CLOSED,
 *   RAMPART_PROMOTION_REFUSED (separation of duties, wrong role, repeat review, failed gate)
 */
export async function reviewPromotion(
  context: RegistryContext,
  actor: Principal,
  input: { requestId: string; decision: 'approve' | 'reject'; comment?: string | undefined },
): Promise<PromotionOutcome & { auditIndex: number }> {
  const resource = { type: 'promotion-request', id: input.requestId.slice(0, 128) };
  const action = 'model.approve';
  return audited(context, actor, action, resource, async () => {
    const request = await openRequest(context, input.requestId);
    const record = await resolveModelVersion(context.store, {
      name: request.name,
      selector: { kind: 'number', version: request.version },
    });
    await refuseQuarantined(context, request.name, request.version);
    const reviews = await reviewsOf(context.store, request.id);
    if (reviews.some((review) => review.principal === actor.subject)) {
      throw refused(`${actor.subject} has already reviewed request ${request.id}`);
    }
    // Independent of the registrant, the trainer, the requester, and of the reviewers before them.
    const trainer =
      record.runId === null
        ? []
        : [(await findRun(context.store, record.runId)).facts.principal.subject];
    await refuseConflicts(context, actor, [
      record.createdBy,
      ...trainer,
      request.requestedBy,
      ...reviews.map((r) => r.principal),
    ]);
    const policy = context.policies[request.alias];
    const required = policy?.approvals ?? {};
    const stillNeeded = pendingApprovals(required, reviews);
    const role =
      actor.roles.find((r) => (stillNeeded[r] ?? 0) > 0) ?? actor.roles.find((r) => r in required);
    if (role === undefined) {
      throw refused(
        `${actor.subject} holds none of the roles ${request.alias} needs (${Object.keys(required).join(', ')})`,
      );
    }
    const at = context.now().toISOString();
    const comment = input.comment?.slice(0, 1024) ?? null;
    const statement = await signReview(
      {
        requestId: request.id,
        name: record.name,
        version: record.version,
        digest: record.digest,
        alias: request.alias,
        reviewer: actor.subject,
        role,
        decision: input.decision,
        comment,
        evidence: request.evidence,
        at,
      },
      context.signingKey,
    );
    await insertReview(context.store, {
      requestId: request.id,
      principal: actor.subject,
      role,
      decision: input.decision,
      comment,
      statement,
      createdAt: at,
    });
    if (input.decision === 'reject') {
      await closeRequest(context.store, {
        id: request.id,
        state: 'rejected',
        reason: `rejected by ${actor.subject}${comment === null ? '' : `: ${comment}`}`,
        at,
      });
      return { result: outcome(request, 'rejected', false, stillNeeded), digest: record.digest };
    }
    const pending = pendingApprovals(required, await reviewsOf(context.store, request.id));
    if (Object.keys(pending).length > 0) {
      return { result: outcome(request, 'open', false, pending), digest: record.digest };
    }
    const gate = await runGate(context, actor, record, request);
    if (gate.length > 0) {
      await closeRequest(context.store, {
        id: request.id,
        state: 'failed',
        reason: gate.join('; '),
        at,
      });
      throw refused(
        `the promotion gate refused ${versionLabel(record.name, record.version)} → ${request.alias}: ${gate.join('; ')}`,
      );
    }
    const moved = await moveAlias(context, actor, request, 'approvals met and the gate passed');
    return {
      result: outcome(request, moved ? 'approved' : 'open', moved, {}),
      digest: record.digest,
      evidence: request.evidence.map((e) => e.digest),
    };
  }).then(async (done) => {
    await receipt(context, done.request, action, done.auditIndex);
    return done;
  });
}

/** Approvals still needed by role, counting only approvals (rejections close the request). */
export function pendingApprovals(
  required: Readonly<Record<string, number>>,
  reviews: readonly { role: string; decision: string }[],
): Record<string, number> {
  const pending: Record<string, number> = {};
  for (const [role, count] of Object.entries(required)) {
    const have = reviews.filter((r) => r.decision === 'approve' && r.role === role).length;
    if (have < count) pending[role] = count - have;
  }
  return pending;
}

async function openRequest(context: RegistryContext, id: string): Promise<PromotionRequest> {
  const request = await findRequest(context.store, id);
  if (request === undefined) {
    throw new RampartError(
      'RAMPART_PROMOTION_NOT_FOUND',
      `there is no promotion request ${id.slice(0, 64)}`,
    );
  }
  if (request.state === 'open' && Date.parse(request.expiresAt) <= context.now().getTime()) {
    await closeRequest(context.store, {
      id,
      state: 'expired',
      reason: 'expired before it was approved',
      at: context.now().toISOString(),
    });
    throw new RampartError(
      'RAMPART_PROMOTION_CLOSED',
      `promotion request ${id} expired at ${request.expiresAt}`,
    );
  }
  if (request.state !== 'open') {
    throw new RampartError(
      'RAMPART_PROMOTION_CLOSED',
      `promotion request ${id} is ${request.state}${request.reason === null ? '' : ` (${request.reason})`}`,
    );
  }
  return request;
}

// The reviewer must be independent of everyone who produced or requested the version.
async function refuseConflicts(
  context: RegistryContext,
  actor: Principal,
  parties: readonly string[],
): Promise<void> {
  for (const name of new Set(parties)) {
    const party = (await findPrincipal(context.store, name)) ?? { subject: name, owner: null };
    const conflict = conflictOfInterest(actor, party);
    if (conflict !== null) throw refused(`separation of duties: ${conflict}`);
  }
}

async function refuseQuarantined(
  context: RegistryContext,
  name: string,
  version: number,
): Promise<void> {
  const quarantine = await quarantineOf(context.store, name, version);
  if (quarantine !== null) {
    throw new RampartError(
      'RAMPART_MODEL_QUARANTINED',
      `${versionLabel(name, version)} is quarantined: ${quarantine.reason}`,
    );
  }
}

async function moveAlias(
  context: RegistryContext,
  actor: Principal,
  request: PromotionRequest,
  reason: string,
): Promise<boolean> {
  const at = context.now().toISOString();
  return context.store.transaction(async (tx) => {
    if (!(await closeRequest(tx, { id: request.id, state: 'approved', reason, at }))) return false;
    await setAlias(tx, {
      name: request.name,
      alias: request.alias,
      version: request.version,
      by: actor.subject,
      at,
      requestId: request.id,
    });
    await supersedeRequests(tx, { name: request.name, alias: request.alias, by: request.id, at });
    return true;
  });
}

async function receipt(
  context: RegistryContext,
  requestId: string,
  action: string,
  index: number,
): Promise<void> {
  await addReceipt(context.store, {
    type: 'promotion-request',
    id: requestId,
    action,
    index,
    at: context.now().toISOString(),
  });
}

function outcome(
  request: PromotionRequest,
  state: PromotionRequest['state'],
  moved: boolean,
  pending: Record<string, number>,
): PromotionOutcome {
  return {
    request: request.id,
    state,
    name: request.name,
    version: request.version,
    alias: request.alias,
    moved,
    pending,
  };
}

function refused(message: string): RampartError {
  return new RampartError('RAMPART_PROMOTION_REFUSED', message);
}
