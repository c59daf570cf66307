/**
 * Who may add dataset versions. Identity (tokens, roles) has not landed yet, so today the only
 * principal is the admin of the state folder; the identity work fills in this one function.
 */

/** Someone acting on Rampart: today only the local admin of the state folder. */
export interface Principal {
  readonly subject: string;
  readonly type: 'human' | 'service';
  readonly roles: readonly string[];
}

/** A policy answer, recorded in the audit log either way. */
export interface PolicyDecision {
  readonly allowed: boolean;
  readonly reason: string;
}

/** The admin of the state folder: whoever can read its keys acts as this principal. */
export const LOCAL_ADMIN: Principal = Object.freeze({
  subject: 'admin',
  type: 'human',
  roles: Object.freeze(['admin']),
});

/** The role that may add versions of a dataset (issue 5, item 7). */
export const DATA_STEWARD_ROLE = 'data-steward';

/** May `principal` add a version of `dataset`? Admins and data stewards may; nobody else. */
export function mayAddDatasetVersion(principal: Principal, dataset: string): PolicyDecision {
  if (principal.roles.includes('admin')) {
    return { allowed: true, reason: `${principal.subject} is the admin` };
  }
  if (principal.roles.includes(DATA_STEWARD_ROLE)) {
    return { allowed: true, reason: `${principal.subject} is a data steward` };
  }
  return {
    allowed: false,
    reason: `${principal.subject} has neither the admin nor the ${DATA_STEWARD_ROLE} role for ${dataset}`,
  };
}
