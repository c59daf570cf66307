/**
 * The demo's data and training steps: the iris CSV registered as dataset `iris`, and the demo
 * classifier trained from it through a recorded training run (network-isolated where the OS
 * allows), so the served model's lineage is complete: model → run → dataset version.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  addDatasetVersion,
  findVersion,
  parseDatasetRef,
  verifyDatasetVersion,
} from '../data/index.js';
import { RampartError } from '../core/index.js';
import type { Principal } from '../identity/index.js';
import type { RegistryContext } from '../registry/index.js';
import { isolationAvailable, recordRun } from '../training/index.js';

/** The demo dataset's name. */
export const DEMO_DATASET = 'iris';
const SEED = 7;

/** Where the demo's inputs are and how to run its trainer. */
export interface DemoTraining {
  /** The folder holding iris.csv. */
  readonly dataset: string;
  /** The trainer script. */
  readonly trainer: string;
  /** The Node.js executable that runs it. */
  readonly node: string;
  /** PATH for the run (to find `unshare`); nothing else of the caller's environment is passed. */
  readonly searchPath: string;
}

/** A finished demo training run: its id and the files it wrote. */
export interface DemoRun {
  readonly runId: string;
  readonly model: string;
  readonly evidence: string;
  readonly isolated: boolean;
}

/** Registers the iris dataset (once) as the data steward; returns `iris@N`. */
export async function demoDataset(
  registry: RegistryContext,
  steward: Principal,
  folder: string,
): Promise<string> {
  const found = await findVersion(registry.store, parseDatasetRef(DEMO_DATASET));
  if (found !== undefined) return `${found.name}@${found.sequence}`;
  const added = await addDatasetVersion(
    { ...registry.datasets, principal: steward },
    {
      path: folder,
      name: DEMO_DATASET,
      source:
        'https://github.com/scikit-learn/scikit-learn/blob/1.2.1/sklearn/datasets/data/iris.csv',
      transforms: ['class numbers replaced by species names, header added'],
    },
  );
  return `${added.name}@${added.version}`;
}

/**
 * Trains the demo model as the engineer: the dataset version verifies first, the trainer runs
 * in a clean environment (without network where possible), and the run's provenance is signed.
 * @throws RAMPART_TRAIN_REFUSED when the dataset does not verify or the run fails.
 */
export async function trainDemo(
  registry: RegistryContext,
  engineer: Principal,
  options: DemoTraining & { readonly datasetRef: string; readonly outDir: string },
): Promise<DemoRun> {
  const data = { ...registry.datasets, principal: engineer };
  const checked = await verifyDatasetVersion(data, options.datasetRef);
  const callerEnv = { PATH: options.searchPath };
  const isolate = await isolationAvailable(callerEnv);
  await mkdir(options.outDir, { recursive: true, mode: 0o700 });
  const model = path.join(options.outDir, 'iris-classifier.onnx');
  const evidence = path.join(options.outDir, 'evaluation.json');
  const recorded = checked.verified
    ? await recordRun(
        {
          store: registry.store,
          blobs: registry.blobs,
          signer: registry.datasets.signer,
          now: registry.now,
        },
        {
          name: 'demo-iris',
          command: [options.node, options.trainer, '--out', options.outDir],
          parameters: { model: 'softmax regression' },
          seed: SEED,
          datasets: [
            {
              name: DEMO_DATASET,
              path: checked.path,
              label: checked.label,
              digest: checked.digest,
            },
          ],
          lockfiles: [],
          isolate,
          outputs: [model, evidence],
          cwd: options.outDir,
          callerEnv,
          principal: { subject: engineer.subject, type: engineer.type },
        },
      )
    : undefined;
  const facts = recorded?.facts;
  const ok = facts?.status === 'succeeded';
  await registry.access.record(
    engineer,
    'train.run',
    { type: 'training-run', id: facts?.id ?? 'demo-iris' },
    {
      allowed: ok,
      reason: ok ? 'demo model trained' : `demo training failed: ${facts?.failure ?? 'dataset'}`,
    },
  );
  if (facts === undefined || !ok) {
    throw new RampartError(
      'RAMPART_TRAIN_REFUSED',
      `the demo training run failed: ${facts?.failure ?? `dataset ${checked.label} does not verify`}`,
    );
  }
  return { runId: facts.id, model, evidence, isolated: facts.isolation.held };
}
