import { RampartError } from '../core/index.js';
import { isRole, ROLES, type Role } from './roles.js';

/** Principal names: lowercase, no slashes, usable as file names and URL segments. */
const PRINCIPAL_NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

/**
 * Checks a principal name.
 * @throws RAMPART_PRINCIPAL_INVALID when it does not match [a-z0-9][a-z0-9._@-]{0,63}.
 */
export function checkPrincipalName(name: string): string {
  if (!PRINCIPAL_NAME.test(name) || name.includes('..')) {
    throw new RampartError(
      'RAMPART_PRINCIPAL_INVALID',
      `'${name.slice(0, 80)}' is not a valid principal name`,
      {
        hint: 'Use 1–64 characters from a-z, 0-9, ".", "_", "@" and "-", starting with a letter or digit.',
      },
    );
  }
  return name;
}

/**
 * Parses a role list (comma-separated, duplicates merged). An empty list is allowed: such a
 * principal may do nothing but what gateway grants allow (a typical inference client).
 * @throws RAMPART_PRINCIPAL_INVALID on an unknown role.
 */
export function parseRoles(values: readonly string[]): Role[] {
  const roles = values
    .flatMap((value) => value.split(','))
    .map((role) => role.trim())
    .filter((role) => role !== '');
  const seen = new Set<Role>();
  for (const role of roles) {
    if (!isRole(role)) {
      throw new RampartError('RAMPART_PRINCIPAL_INVALID', `unknown role '${role.slice(0, 64)}'`, {
        hint: `Known roles: ${ROLES.join(', ')}.`,
      });
    }
    seen.add(role);
  }
  return [...seen];
}
