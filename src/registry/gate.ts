/** The promotion gate: the whole chain is checked at the moment an alias would move. */
import { verifyDatasetVersion } from '../data/index.js';
import type { Principal } from '../identity/index.js';
import type { RegistryContext } from './context.js';
import { reviewProblem } from './approval.js';
import { reviewsOf, type PromotionRequest } from './promotions-repo.js';
import { integrityFailures } from './verify-version.js';
import type { ModelVersionRecord } from './versions-repo.js';

/**
 * What stops `record` from taking `request.alias` (empty when nothing does): the scan at
 * registration was clean, the blobs and signature verify, every linked dataset version
 * verifies, the required evidence is attached and still stored, and every review is the signed
 * statement it claims to be (a row inserted into the database by hand does not count).
 */
export async function runGate(
  context: RegistryContext,
  actor: Principal,
  record: ModelVersionRecord,
  request: PromotionRequest,
): Promise<string[]> {
  const failures: string[] = [];
  if (record.scan.verdict !== 'clean')
    failures.push(`the registration scan was ${record.scan.verdict}`);
  failures.push(...(await integrityFailures(context, record)));
  for (const link of record.datasets) {
    const label = `${link.name}@${link.sequence}`;
    try {
      const result = await verifyDatasetVersion({ ...context.datasets, principal: actor }, label);
      if (!result.verified) failures.push(`dataset ${label} does not verify`);
      else if (result.digest !== link.digest)
        failures.push(`dataset ${label} is ${result.digest}, not the linked ${link.digest}`);
    } catch (error) {
      failures.push(`dataset ${label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const review of await reviewsOf(context.store, request.id)) {
    const problem = reviewProblem(
      review,
      { requestId: request.id, digest: record.digest },
      context.trustedKey,
    );
    if (problem !== null) failures.push(problem);
  }
  const policy = context.policies[request.alias];
  if (policy?.requireEvidence === true && request.evidence.length === 0)
    failures.push('no evaluation evidence is attached');
  for (const evidence of request.evidence) {
    try {
      await context.blobs.verify(evidence.digest);
    } catch (error) {
      failures.push(
        `evidence ${evidence.name}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return failures;
}
