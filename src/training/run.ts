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
import { isolatedCommand, type Isolation } from './isolation.js';
import { gitState, runCommand, type CommandOutcome, type GitState } from './process.js';
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
  readonly baseModel?: RunFacts['baseModel'];
  readonly paramsFile?: RunFacts['paramsFile'];
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
  return executePlan(
    plan,
    async (run) => {
      const logs = {
        stdout: (await services.blobs.putFile(run.outcome.stdoutFile)).digest,
        stderr: (await services.blobs.putFile(run.outcome.stderrFile)).digest,
      };
      const facts: RunFacts = {
        id: randomUUID(),
        name: plan.name,
        status: run.failure === undefined ? 'succeeded' : 'failed',
        exitCode: run.outcome.exitCode,
        command: plan.command,
        cwd: plan.cwd,
        parameters: plan.parameters,
        ...(plan.seed === undefined ? {} : { seed: plan.seed }),
        datasets: plan.datasets.map((d) => ({ label: d.label, digest: d.digest })),
        lockfiles: plan.lockfiles,
        ...(plan.baseModel === undefined ? {} : { baseModel: plan.baseModel }),
        ...(plan.paramsFile === undefined ? {} : { paramsFile: plan.paramsFile }),
        ...(run.git === undefined ? {} : { git: run.git }),
        principal: plan.principal,
        isolation: run.isolation,
        startedOn: run.startedOn,
        finishedOn: run.finishedOn,
        logs,
        outputs: run.failure === undefined ? run.outputs : [],
        ...(run.failure === undefined ? {} : { failure: run.failure }),
      };
      const provenance = await signStatement(runStatement(facts), [services.signer]);
      const text = JSON.stringify(provenance);
      await insertRun(services.store, { facts, provenance: text, provenanceDigest: sha256(text) });
      return { facts, provenance };
    },
    services.now,
  );
}

/** What one execution of a plan produced, before anything is stored. */
export interface Execution {
  readonly outcome: CommandOutcome;
  readonly isolation: Isolation;
  readonly git: GitState | undefined;
  readonly startedOn: string;
  readonly finishedOn: string;
  /** The declared outputs hashed (empty when the command failed). */
  readonly outputs: readonly NamedDigest[];
  /** Why the run failed: a non-zero exit, a signal, or a missing output. */
  readonly failure: string | undefined;
}

/**
 * Runs a plan's command in its clean (and, if asked, isolated) environment and hashes its
 * outputs; `keep` sees the execution while its log files still exist.
 * @throws RAMPART_TRAIN_REFUSED (isolation impossible: nothing ran),
 *   RAMPART_TRAIN_COMMAND_UNAVAILABLE (nothing ran)
 */
export async function executePlan<T>(
  plan: RunPlan,
  keep: (execution: Execution) => Promise<T>,
  now: () => Date = () => new Date(),
): Promise<T> {
  const env = runEnvironment(plan.callerEnv, { seed: plan.seed, datasets: plan.datasets });
  const wrapped = await isolatedCommand(plan.command, plan.isolate, env);
  const git = await gitState(plan.cwd, env);
  const logDir = await mkdtemp(`${os.tmpdir()}/rampart-run-`);
  try {
    const startedOn = now().toISOString();
    const outcome = await runCommand({ ...wrapped, cwd: plan.cwd, env, logDir });
    const finishedOn = now().toISOString();
    const hashed = outcome.exitCode === 0 ? await hashOutputs(plan.outputs) : { outputs: [] };
    const failure =
      outcome.exitCode === 0
        ? hashed.failure
        : outcome.signal === null
          ? `the command exited with ${outcome.exitCode}`
          : `the command was ended by ${outcome.signal}`;
    return await keep({
      outcome,
      isolation: wrapped.isolation,
      git,
      startedOn,
      finishedOn,
      outputs: hashed.outputs,
      failure,
    });
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
