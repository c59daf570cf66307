/**
 * Linking a model version to the training run that produced it (`model register --run`): the
 * run's signed provenance must verify end to end, and every registered file must be one of the
 * run's outputs, so lineage runs model → run → dataset versions → sources.
 */
import { RampartError } from '../core/index.js';
import { findVersion, parseDatasetRef } from '../data/index.js';
import type { Principal } from '../identity/index.js';
import { datasetCheck, findRun, verifyRun } from '../training/index.js';
import type { RegistryContext } from './context.js';
import type { DatasetLink } from './versions-repo.js';

/** A verified training run, as a registration links it. */
export interface LinkedRun {
  readonly id: string;
  /** Output digests (`sha256:<hex>`) the run's signed provenance names. */
  readonly outputs: ReadonlySet<string>;
  readonly datasets: readonly DatasetLink[];
}

const refused = (message: string, hint: string) =>
  new RampartError('RAMPART_MODEL_REFUSED', message, { hint });

/**
 * Verifies a recorded run as the registrant: signature, record, outputs, logs and every dataset
 * version; the run must have succeeded.
 * @throws RAMPART_MODEL_REFUSED naming the broken link; RAMPART_TRAIN_RUN_NOT_FOUND
 */
export async function verifiedRun(
  context: RegistryContext,
  actor: Principal,
  runId: string,
): Promise<LinkedRun> {
  const datasets = { ...context.datasets, principal: actor };
  const verification = await verifyRun(
    {
      store: context.store,
      trusted: context.datasets.trusted,
      blobs: context.blobs,
      checkDataset: datasetCheck(datasets),
    },
    runId,
  );
  const broken = verification.broken[0];
  if (broken !== undefined) {
    throw refused(
      `training run ${runId} does not verify (${broken.link}: ${broken.message})`,
      'Run `rampart train verify <run>` to see every broken link; register from an intact run.',
    );
  }
  const { facts } = await findRun(context.store, runId);
  if (facts.status !== 'succeeded') {
    throw refused(`training run ${runId} failed`, 'Register the outputs of a successful run.');
  }
  const links: DatasetLink[] = [];
  for (const dataset of facts.datasets) {
    const found = await findVersion(context.store, parseDatasetRef(dataset.label, true));
    if (found === undefined || found.digest !== dataset.digest) {
      throw refused(
        `training run ${runId} names dataset ${dataset.label}, which is not the registered version`,
        'The dataset version the run used must still be registered unchanged.',
      );
    }
    links.push({ name: found.name, sequence: found.sequence, digest: found.digest });
  }
  return { id: facts.id, outputs: new Set(facts.outputs.map((o) => o.digest)), datasets: links };
}

/**
 * Refuses a registration with a file the run did not produce.
 * @throws RAMPART_MODEL_REFUSED naming the first such file.
 */
export function refuseUnproduced(
  run: LinkedRun,
  files: readonly { readonly name: string; readonly digest: string }[],
): void {
  const stray = files.find((file) => !run.outputs.has(file.digest));
  if (stray !== undefined) {
    throw refused(
      `${stray.name} (${stray.digest}) is not an output of training run ${run.id}`,
      'Register exactly the files the run declared with --output, unchanged.',
    );
  }
}

/** The union of two lists of dataset links, each version once. */
export function mergeDatasetLinks(
  a: readonly DatasetLink[],
  b: readonly DatasetLink[],
): DatasetLink[] {
  const seen = new Map<string, DatasetLink>();
  for (const link of [...a, ...b]) seen.set(`${link.name}@${link.sequence}`, link);
  return [...seen.values()];
}
