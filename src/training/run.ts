/** Recording a training run: run the command, hash its outputs, sign and store its provenance. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import {
  hashFile,
  isRampartError,
  sha256,
  signStatement,
  type Digest,
  type Envelope,
  type Signer,
} from '../core/index.js';
import type { Store } from '../store/index.js';
import { runEnvironment, type RunDataset } from './env.js';
import { isolatedCommand } from './isolation.js';
import { gitState, runCommand } from './process.js';
import { runStatement, type NamedDigest, type RunFacts } from './provenance.js';
import { insertRun } from './runs-repo.js';

/** Where runs are kept and who signs them. */
export interface RunServices {
  readonly store: Store;
  /** Keeps the logs (the state's encrypted blob store). */
  readonly blobs: { putFile(file: string): Promise<{ readonly digest: Digest }> };
  readonly signer: Signer;
  readonly now: () => Date;
}

/** A run that passed its preflight checks (datasets verified, lockfiles audited, caller allowed). */
export interface RunPlan {
  readonly name: string;
  /** The command and its arguments (run without a shell). */
  readonly command: readonly string[];
  readonly parameters: Readonly<Record<string, string>>;
  readonly seed?: number | undefined;
  readonly datasets: readonly (RunDataset & { readonly label: string; readonly digest: Digest })[];
  readonly lockfiles: readonly NamedDigest[];
  readonly isolate: boolean;
  /** Absolute paths of the declared outputs. */
  readonly outputs: readonly string[];
  readonly cwd: string;
  /** The caller's environment; only the allowlist of {@link runEnvironment} reaches the command. */
  readonly callerEnv: Readonly<Record<string, string | undefined>>;
  readonly principal: { readonly subject: string; readonly type: string };
}

/** A recorded run: its facts and the signed provenance. */
export interface RecordedRun {
  readonly facts: RunFacts;
  readonly provenance: Envelope;
}

/**
 * Runs a planned command and records it: logs kept as blobs, outputs hashed (a missing output
 * fails the run), SLSA provenance signed with `services.signer`, the run stored. A command that
 * fails is recorded too, as a failed run.
 * @throws RAMPART_TRAIN_REFUSED (isolation impossible: nothing ran),
 *   RAMPART_TRAIN_COMMAND_UNAVAILABLE (nothing ran), RAMPART_STORE_*, RAMPART_KEY_*
 */
export async function recordRun(services: RunServices, plan: RunPlan): Promise<RecordedRun> {
  const env = runEnvironment(plan.callerEnv, { seed: plan.seed, datasets: plan.datasets });
  const wrapped = await isolatedCommand(plan.command, plan.isolate, env);
  const git = await gitState(plan.cwd, env);
  const logDir = await mkdtemp(`${os.tmpdir()}/rampart-run-`);
  try {
    const startedOn = services.now().toISOString();
    const outcome = await runCommand({ ...wrapped, cwd: plan.cwd, env, logDir });
    const finishedOn = services.now().toISOString();
    const logs = {
      stdout: (await services.blobs.putFile(outcome.stdoutFile)).digest,
      stderr: (await services.blobs.putFile(outcome.stderrFile)).digest,
    };
    const hashed = outcome.exitCode === 0 ? await hashOutputs(plan.outputs) : { outputs: [] };
    const failure =
      outcome.exitCode === 0
        ? hashed.failure
        : outcome.signal === null
          ? `the command exited with ${outcome.exitCode}`
          : `the command was ended by ${outcome.signal}`;
    const facts: RunFacts = {
      id: randomUUID(),
      name: plan.name,
      status: failure === undefined ? 'succeeded' : 'failed',
      exitCode: outcome.exitCode,
      command: plan.command,
      parameters: plan.parameters,
      ...(plan.seed === undefined ? {} : { seed: plan.seed }),
      datasets: plan.datasets.map((d) => ({ label: d.label, digest: d.digest })),
      lockfiles: plan.lockfiles,
      ...(git === undefined ? {} : { git }),
      principal: plan.principal,
      isolation: wrapped.isolation,
      startedOn,
      finishedOn,
      logs,
      outputs: failure === undefined ? hashed.outputs : [],
      ...(failure === undefined ? {} : { failure }),
    };
    const provenance = await signStatement(runStatement(facts), [services.signer]);
    const text = JSON.stringify(provenance);
    await insertRun(services.store, { facts, provenance: text, provenanceDigest: sha256(text) });
    return { facts, provenance };
  } finally {
    await rm(logDir, { recursive: true, force: true });
  }
}

async function hashOutputs(
  paths: readonly string[],
): Promise<{ outputs: NamedDigest[]; failure?: string }> {
  const outputs: NamedDigest[] = [];
  for (const file of paths) {
    try {
      outputs.push({ path: file, digest: (await hashFile(file)).digest });
    } catch (error) {
      if (!isRampartError(error)) throw error;
      return { outputs, failure: `declared output ${file} is missing or unreadable` };
    }
  }
  return { outputs };
}
