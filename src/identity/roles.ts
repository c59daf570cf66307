/** The roles Rampart knows (registry-audit-posture.md §5.2). */
export const ROLES = [
  'admin',
  'data-steward',
  'ml-engineer',
  'approver',
  'security-reviewer',
  'deployer',
  'auditor',
  'incident-responder',
] as const;

/** One role. */
export type Role = (typeof ROLES)[number];

/** Is `value` a known role? */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * Every action a principal can be allowed, with the roles that allow it. Anything not listed
 * here is denied (deny by default). Approving also needs the separation-of-duties check, and
 * moving a protected alias is never a direct permission: only an approved request moves it.
 */
export const PERMISSIONS = {
  'principal.add': ['admin'],
  'principal.list': ['admin', 'auditor', 'security-reviewer'],
  'principal.disable': ['admin', 'incident-responder'],
  'token.create': ['admin'],
  'token.list': ['admin', 'auditor'],
  'token.revoke': ['admin', 'incident-responder'],
  'access.review': ['admin', 'auditor', 'security-reviewer'],
  'status.read': ['admin', 'auditor'],
  'audit.read': ['admin', 'auditor', 'security-reviewer', 'incident-responder'],
  'audit.append': ['admin'],
  'keys.rotate': ['admin'],
  'keys.read': ['admin', 'auditor', 'security-reviewer'],
  'dataset.add': ['admin', 'data-steward'],
  'dataset.read': ROLES,
  'model.register': ['admin', 'ml-engineer'],
  'model.read': ROLES,
  'model.promote': ['admin', 'ml-engineer', 'deployer'],
  'model.approve': ['approver', 'security-reviewer'],
  'model.alias': ['admin', 'ml-engineer', 'deployer'],
  'model.quarantine': ['admin', 'security-reviewer', 'incident-responder'],
  'model.deploy': ['admin', 'deployer'],
  'train.run': ['admin', 'ml-engineer'],
  'train.read': ['admin', 'ml-engineer', 'auditor', 'security-reviewer', 'approver'],
  'advisories.import': ['admin', 'security-reviewer'],
  'monitor.read': ['admin', 'ml-engineer', 'auditor', 'security-reviewer'],
  'grant.manage': ['admin'],
  'grant.read': ['admin', 'auditor', 'security-reviewer'],
} as const satisfies Record<string, readonly Role[]>;

/** An action that policy decides on. */
export type Action = keyof typeof PERMISSIONS;

/** The actions in a stable order, for reviews and docs. */
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

/** The roles that allow `action`. */
export function rolesFor(action: Action): readonly Role[] {
  return PERMISSIONS[action];
}
