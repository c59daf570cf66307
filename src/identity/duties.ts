import type { Principal } from './principals.js';

/**
 * Separation of duties: why `reviewer` may not review work done by `party`, or null when they
 * are independent. The same person, a service account the other owns, or two service
 * accounts with one owner all count as one party (a trainer must not approve through a CI
 * token they own).
 */
export function conflictOfInterest(
  reviewer: Pick<Principal, 'subject' | 'owner'>,
  party: Pick<Principal, 'subject' | 'owner'>,
): string | null {
  if (reviewer.subject === party.subject) return `${reviewer.subject} did it themselves`;
  if (reviewer.owner !== null && reviewer.owner === party.subject) {
    return `${reviewer.subject} is a service account owned by ${party.subject}`;
  }
  if (party.owner !== null && party.owner === reviewer.subject) {
    return `${party.subject} is a service account owned by ${reviewer.subject}`;
  }
  if (reviewer.owner !== null && reviewer.owner === party.owner) {
    return `${reviewer.subject} and ${party.subject} are service accounts of the same owner (${party.owner})`;
  }
  return null;
}
