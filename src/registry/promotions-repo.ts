/** Store access for promotion requests and their reviews. */
import type { Executor } from '../store/index.js';

/** Where a request stands. */
export type RequestState = 'open' | 'approved' | 'rejected' | 'expired' | 'failed' | 'cancelled';

/** A file attached to a request as evidence, kept as a blob. */
export interface EvidenceRef {
  readonly name: string;
  readonly digest: string;
  readonly size: number;
}

/** A promotion request: move `alias` of `name` to `version`. */
export interface PromotionRequest {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly alias: string;
  readonly state: RequestState;
  readonly evidence: readonly EvidenceRef[];
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly decidedAt: string | null;
  readonly reason: string | null;
}

/** One reviewer's decision, with the signed statement that records it. */
export interface PromotionReview {
  readonly requestId: string;
  readonly principal: string;
  readonly role: string;
  readonly decision: 'approve' | 'reject';
  readonly comment: string | null;
  /** The DSSE envelope (JSON) of the signed approval statement. */
  readonly statement: string;
  readonly createdAt: string;
}

interface RequestRow {
  [key: string]: unknown;
  id: string;
  name: string;
  version: number;
  alias: string;
  state: string;
  evidence: string;
  requested_by: string;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  reason: string | null;
}

const COLUMNS =
  'id, name, version, alias, state, evidence, requested_by, created_at, expires_at, decided_at, reason';

/** Stores a new open request. */
export async function insertRequest(db: Executor, request: PromotionRequest): Promise<void> {
  await db.run(
    `INSERT INTO promotion_requests (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      request.id,
      request.name,
      request.version,
      request.alias,
      request.state,
      JSON.stringify(request.evidence),
      request.requestedBy,
      request.createdAt,
      request.expiresAt,
      request.decidedAt,
      request.reason,
    ],
  );
}

/** The request with this id, or undefined. */
export async function findRequest(db: Executor, id: string): Promise<PromotionRequest | undefined> {
  const [row] = await db.query<RequestRow>(
    `SELECT ${COLUMNS} FROM promotion_requests WHERE id = ?`,
    [id],
  );
  return row === undefined ? undefined : toRequest(row);
}

/** Requests, newest first, optionally of one model. */
export async function listRequests(db: Executor, name?: string): Promise<PromotionRequest[]> {
  const rows =
    name === undefined
      ? await db.query<RequestRow>(
          `SELECT ${COLUMNS} FROM promotion_requests ORDER BY created_at DESC, id`,
        )
      : await db.query<RequestRow>(
          `SELECT ${COLUMNS} FROM promotion_requests WHERE name = ? ORDER BY created_at DESC, id`,
          [name],
        );
  return rows.map(toRequest);
}

/**
 * Closes an open request; false when it was no longer open (someone else closed it first).
 */
export async function closeRequest(
  db: Executor,
  input: { id: string; state: Exclude<RequestState, 'open'>; reason: string; at: string },
): Promise<boolean> {
  const changed = await db.run(
    "UPDATE promotion_requests SET state = ?, reason = ?, decided_at = ? WHERE id = ? AND state = 'open'",
    [input.state, input.reason.slice(0, 1024), input.at, input.id],
  );
  return changed.changes === 1;
}

/** Open requests for one version. */
export async function openRequestsOf(
  db: Executor,
  name: string,
  version: number,
): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    "SELECT id FROM promotion_requests WHERE name = ? AND version = ? AND state = 'open'",
    [name, version],
  );
  return rows.map((row) => row.id);
}

/**
 * Cancels every other open request for the same model and alias once the alias has moved, so a
 * stale request cannot later move it back without a fresh review. Returns the ids cancelled.
 */
export async function supersedeRequests(
  db: Executor,
  input: { name: string; alias: string; by: string; at: string },
): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    "SELECT id FROM promotion_requests WHERE name = ? AND alias = ? AND state = 'open' ORDER BY id",
    [input.name, input.alias],
  );
  const cancelled: string[] = [];
  for (const { id } of rows) {
    const reason = `superseded: ${input.alias} moved by request ${input.by}`;
    if (await closeRequest(db, { id, state: 'cancelled', reason, at: input.at }))
      cancelled.push(id);
  }
  return cancelled;
}

/** Stores a review; a principal reviews a request at most once (the key refuses a second). */
export async function insertReview(db: Executor, review: PromotionReview): Promise<void> {
  await db.run(
    'INSERT INTO promotion_reviews (request_id, principal, role, decision, comment, statement, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [
      review.requestId,
      review.principal,
      review.role,
      review.decision,
      review.comment,
      review.statement,
      review.createdAt,
    ],
  );
}

/** The reviews of a request, oldest first. */
export async function reviewsOf(db: Executor, requestId: string): Promise<PromotionReview[]> {
  const rows = await db.query<{
    request_id: string;
    principal: string;
    role: string;
    decision: string;
    comment: string | null;
    statement: string;
    created_at: string;
  }>(
    'SELECT request_id, principal, role, decision, comment, statement, created_at FROM promotion_reviews WHERE request_id = ? ORDER BY created_at, principal',
    [requestId],
  );
  return rows.map((row) => ({
    requestId: row.request_id,
    principal: row.principal,
    role: row.role,
    decision: row.decision === 'approve' ? 'approve' : 'reject',
    comment: row.comment,
    statement: row.statement,
    createdAt: row.created_at,
  }));
}

/** A request as of `now`: an open request past its expiry shows as expired. */
export function asOf(request: PromotionRequest, now: Date): PromotionRequest {
  return request.state === 'open' && Date.parse(request.expiresAt) <= now.getTime()
    ? { ...request, state: 'expired' }
    : request;
}

function toRequest(row: RequestRow): PromotionRequest {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    alias: row.alias,
    state: row.state as RequestState,
    evidence: JSON.parse(row.evidence) as EvidenceRef[],
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedAt: row.decided_at,
    reason: row.reason,
  };
}

/** Whether `name@version` was ever approved (by a closed, approved request) for `alias`. */
export async function wasApprovedFor(
  db: Executor,
  input: { name: string; version: number; alias: string },
): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    "SELECT id FROM promotion_requests WHERE name = ? AND version = ? AND alias = ? AND state = 'approved' LIMIT 1",
    [input.name, input.version, input.alias],
  );
  return rows.length > 0;
}

/** Versions approved for `alias`, most recently approved first (each once). */
export async function approvedVersions(
  db: Executor,
  input: { name: string; alias: string },
): Promise<number[]> {
  const rows = await db.query<{ version: number }>(
    "SELECT version FROM promotion_requests WHERE name = ? AND alias = ? AND state = 'approved' ORDER BY decided_at DESC, id DESC",
    [input.name, input.alias],
  );
  return [...new Set(rows.map((row) => row.version))];
}
