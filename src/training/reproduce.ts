/** Reproducing a recorded run: the same command, inputs and seed, outputs compared byte for byte. */
import { copyFile, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Digest } from '../core/index.js';
import type { RunFacts } from './provenance.js';
import { executePlan, type RunPlan } from './run.js';

/** One declared output of the original run against the reproduction. */
export interface OutputComparison {
  readonly path: string;
  readonly original: Digest;
  /** The reproduction's digest; absent when it did not write the file. */
  readonly reproduced?: Digest | undefined;
  readonly identical: boolean;
}

/** The outcome of `train reproduce`. */
export interface Reproduction {
  readonly run: string;
  /** True when the command succeeded and every output is byte-identical. */
  readonly identical: boolean;
  readonly status: 'succeeded' | 'failed';
  readonly failure?: string | undefined;
  readonly outputs: readonly OutputComparison[];
  /** The code folder's commit now, when it differs from the run's (or is dirty now). */
  readonly codeChanged?: string | undefined;
  readonly isolated: boolean;
}

/**
 * Re-runs `original` with `plan` (built from the verified record: same command, parameters,
 * seed, datasets and isolation) and compares the outputs. The original output files are moved
 * aside first and put back afterwards, so the original run still verifies; the reproduction's
 * files are only hashed.
 * @throws RAMPART_TRAIN_REFUSED, RAMPART_TRAIN_COMMAND_UNAVAILABLE (nothing ran), file errors
 */
export async function reproduceRun(original: RunFacts, plan: RunPlan): Promise<Reproduction> {
  const aside = await mkdtemp(path.join(os.tmpdir(), 'rampart-reproduce-'));
  const moved: { from: string; to: string }[] = [];
  try {
    for (const [index, output] of original.outputs.entries()) {
      const to = path.join(aside, String(index));
      // An output that is gone now has nothing to restore; one that is there is kept safe first.
      const kept = await copyFile(output.path, to).then(
        () => true,
        () => false,
      );
      if (kept) {
        moved.push({ from: output.path, to });
        await rm(output.path, { force: true });
      }
    }
    return await executePlan(plan, (execution) => {
      const produced = new Map(execution.outputs.map((o) => [o.path, o.digest]));
      const outputs = original.outputs.map((o) => {
        const reproduced = produced.get(o.path);
        return { path: o.path, original: o.digest, reproduced, identical: reproduced === o.digest };
      });
      const git = execution.git;
      const before = original.git;
      const codeChanged =
        git !== undefined && (git.commit !== before?.commit || git.dirty)
          ? `${git.commit}${git.dirty ? ' (dirty)' : ''}`
          : undefined;
      return Promise.resolve({
        run: original.id,
        identical: execution.failure === undefined && outputs.every((o) => o.identical),
        status: execution.failure === undefined ? 'succeeded' : 'failed',
        failure: execution.failure,
        outputs,
        codeChanged,
        isolated: execution.isolation.held,
      });
    });
  } finally {
    for (const { from, to } of moved) await rename(to, from).catch(() => copyFile(to, from));
    await rm(aside, { recursive: true, force: true });
  }
}
