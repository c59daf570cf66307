/** Re-verifying a recorded run: signature, record, outputs, logs and dependencies. */
import {
  canonicalize,
  digestHex,
  hashFile,
  isRampartError,
  parseEnvelope,
  sha256,
  verifyStatement,
  type Digest,
  type PublicKeyLike,
} from '../core/index.js';
import { verifyDatasetVersion, type DatasetContext } from '../data/index.js';
import type { Executor } from '../store/index.js';
import { runStatement, type RunFacts } from './provenance.js';
import { findRun } from './runs-repo.js';

// Rebuilding the statement from the stored record must give the signed statement exactly.
function recordMatches(facts: RunFacts, signed: unknown): boolean {
  try {
    return canonicalize(runStatement(facts)) === canonicalize(signed);
  } catch {
    return false;
  }
}

/**
 * The dataset check of {@link VerifyRunServices}: the version re-verifies in `context` and
 * still has the digest the run recorded.
 */
export function datasetCheck(context: DatasetContext): VerifyRunServices['checkDataset'] {
  return async (label, digest) => {
    const checked = await verifyDatasetVersion(context, label);
    if (checked.digest !== digest) return `now has digest ${checked.digest}, not ${digest}`;
    return checked.verified ? undefined : 'its files or provenance no longer verify';
  };
}

/** One broken link of a run's chain. */
export interface BrokenLink {
  /** What is broken: `provenance`, `output:<path>`, `log:stdout`, `dataset:<name@N>`, … */
  readonly link: string;
  readonly message: string;
}

/** The outcome of `train verify`. */
export interface RunVerification {
  readonly run: string;
  readonly verified: boolean;
  readonly broken: readonly BrokenLink[];
}

/** What verifying a run needs; dataset checks come from the data layer, through the caller. */
export interface VerifyRunServices {
  readonly store: Executor;
  readonly trusted: PublicKeyLike;
  /** Re-reads and re-hashes a stored blob. */
  readonly blobs: { verify(digest: string): Promise<unknown> };
  /** Re-verifies a dataset version; a message when it does not verify. */
  readonly checkDataset: (label: string, digest: Digest) => Promise<string | undefined>;
}

/**
 * Checks every link of a run: the provenance is the stored one and its signature verifies with
 * the trusted key, it names the run and the recorded outputs, every output file still hashes to
 * its digest, the logs are intact, and every dataset version still verifies.
 * @throws RAMPART_TRAIN_RUN_NOT_FOUND, RAMPART_TRAIN_RECORD_INVALID, RAMPART_STORE_*
 */
export async function verifyRun(services: VerifyRunServices, id: string): Promise<RunVerification> {
  const run = await findRun(services.store, id);
  const broken: BrokenLink[] = [];
  const fail = (link: string, message: string) => broken.push({ link, message });
  if (sha256(run.provenance) !== run.provenanceDigest) {
    fail('provenance', 'the stored provenance does not match its recorded digest');
  }
  try {
    const { statement } = verifyStatement(parseEnvelope(JSON.parse(run.provenance)), [
      services.trusted,
    ]);
    const predicate = statement.predicate as {
      runDetails?: { metadata?: { invocationId?: unknown } };
    };
    if (predicate.runDetails?.metadata?.invocationId !== run.facts.id) {
      fail('provenance', 'the signed provenance is about another run');
    } else if (!recordMatches(run.facts, statement)) {
      // The record is what list/show/reproduce read: it must say exactly what was signed.
      fail('record', 'the stored run record differs from its signed provenance');
    }
    const signed = statement.subject.map((s) => `${s.name}\0${s.digest.sha256}`).join('\n');
    const recorded = run.outputRows.map((o) => `${o.path}\0${digestHex(o.digest as Digest)}`);
    if (run.outputRows.length > 0 && signed !== recorded.join('\n')) {
      fail('provenance', 'the recorded outputs are not the signed subjects');
    }
  } catch (error) {
    if (!isRampartError(error)) throw error;
    fail('provenance', `${error.code}: ${error.message}`);
  }
  for (const output of run.outputRows) {
    try {
      const { digest } = await hashFile(output.path);
      if (digest !== output.digest) fail(`output:${output.path}`, `now hashes to ${digest}`);
    } catch (error) {
      if (!isRampartError(error)) throw error;
      fail(`output:${output.path}`, `${error.code}: ${error.message}`);
    }
  }
  for (const [name, digest] of Object.entries(run.facts.logs)) {
    try {
      await services.blobs.verify(digest);
    } catch (error) {
      if (!isRampartError(error)) throw error;
      fail(`log:${name}`, `${error.code}: ${error.message}`);
    }
  }
  for (const dataset of run.facts.datasets) {
    const problem = await services.checkDataset(dataset.label, dataset.digest);
    if (problem !== undefined) fail(`dataset:${dataset.label}`, problem);
  }
  return { run: id, verified: broken.length === 0, broken };
}
