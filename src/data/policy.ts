/** Who may add dataset versions: the identity module's one decision point decides. */
import { decideByRole, type Decision, type Principal } from '../identity/index.js';

/** May `principal` add a version of `dataset`? Admins and data stewards may; nobody else. */
export function mayAddDatasetVersion(principal: Principal, dataset: string): Decision {
  const decision = decideByRole(principal, 'dataset.add');
  return decision.allowed
    ? decision
    : { allowed: false, reason: `${decision.reason} on ${dataset}` };
}
