import type { Executor } from '../store/index.js';
import { decideByRole } from './access.js';
import { listPrincipals } from './principals.js';
import { ACTIONS, type Action, type Role } from './roles.js';
import { listTokens } from './tokens.js';

/** One line of an access review: who, with which roles, may do what, with how many tokens. */
export interface AccessReviewEntry {
  readonly principal: string;
  readonly type: 'human' | 'service';
  readonly owner: string | null;
  readonly roles: readonly Role[];
  readonly disabled: boolean;
  readonly actions: readonly Action[];
  /** Tokens that still authenticate (not revoked, not expired). */
  readonly activeTokens: number;
}

/** Lists every principal with the actions its roles allow (before separation of duties). */
export async function accessReview(db: Executor, now: Date): Promise<AccessReviewEntry[]> {
  const tokens = await listTokens(db);
  return (await listPrincipals(db)).map((principal) => ({
    principal: principal.subject,
    type: principal.type,
    owner: principal.owner,
    roles: principal.roles,
    disabled: principal.disabledAt !== null,
    actions:
      principal.disabledAt === null
        ? ACTIONS.filter((action) => decideByRole(principal, action).allowed)
        : [],
    activeTokens: tokens.filter(
      (token) =>
        token.principal === principal.subject &&
        token.revokedAt === null &&
        (token.expiresAt === null || Date.parse(token.expiresAt) > now.getTime()),
    ).length,
  }));
}
