/** Approval statements: each review of a promotion is a signed in-toto statement. */
import {
  localSigner,
  makeStatement,
  parseEnvelope,
  signStatement,
  verifyStatement,
  type Digest,
} from '../core/index.js';
import type { KeyObject } from 'node:crypto';
import type { EvidenceRef } from './promotions-repo.js';

/** The predicate type of Rampart promotion reviews. */
export const REVIEW_PREDICATE_TYPE = 'https://rampart.dev/promotion-review/v1';

/** What a review statement says. */
export interface ReviewFacts {
  readonly requestId: string;
  readonly name: string;
  readonly version: number;
  readonly digest: string;
  readonly alias: string;
  readonly reviewer: string;
  readonly role: string;
  readonly decision: 'approve' | 'reject';
  readonly comment: string | null;
  readonly evidence: readonly EvidenceRef[];
  readonly at: string;
}

/**
 * Signs a review as a DSSE envelope over an in-toto Statement whose subject is the version's
 * digest, so an approval binds to exactly those bytes and that evidence. Returns the JSON.
 */
export async function signReview(facts: ReviewFacts, key: KeyObject): Promise<string> {
  const statement = makeStatement({
    subjects: [{ name: `${facts.name}@${facts.version}`, digest: facts.digest as Digest }],
    predicateType: REVIEW_PREDICATE_TYPE,
    predicate: {
      request: facts.requestId,
      alias: facts.alias,
      reviewer: facts.reviewer,
      role: facts.role,
      decision: facts.decision,
      ...(facts.comment === null ? {} : { comment: facts.comment }),
      evidence: facts.evidence.map((e) => ({ name: e.name, digest: e.digest })),
      reviewedAt: facts.at,
    },
  });
  return JSON.stringify(await signStatement(statement, [localSigner(key)]));
}

/**
 * Checks a stored review: its signature verifies with the registry key, and it binds exactly
 * this version digest, request, reviewer, role and decision. Returns why not, or null.
 */
export function reviewProblem(
  review: {
    readonly principal: string;
    readonly role: string;
    readonly decision: string;
    readonly statement: string;
  },
  expected: { readonly requestId: string; readonly digest: string },
  trusted: KeyObject,
): string | null {
  try {
    const { statement } = verifyStatement(parseEnvelope(JSON.parse(review.statement)), [trusted]);
    const p = statement.predicate;
    const bound =
      statement.predicateType === REVIEW_PREDICATE_TYPE &&
      statement.subject.length === 1 &&
      `sha256:${statement.subject[0]?.digest.sha256 ?? ''}` === expected.digest &&
      p.request === expected.requestId &&
      p.reviewer === review.principal &&
      p.role === review.role &&
      p.decision === review.decision;
    return bound ? null : `the review by ${review.principal} does not match its signed statement`;
  } catch (error) {
    return `the review by ${review.principal} does not verify: ${error instanceof Error ? error.message : String(error)}`;
  }
}
