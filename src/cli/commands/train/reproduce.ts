/** `rampart train reproduce <run>` and the run verification it starts from. */
import path from 'node:path';
import { hashFile } from '../../../core/index.js';
import type { DatasetContext } from '../../../data/index.js';
import {
  datasetCheck,
  findRun,
  reproduceRun,
  verifyRun,
  type RunFacts,
  type RunVerification,
} from '../../../training/index.js';
import type { CommandContext, CommandInput, CommandResult } from '../../command.js';
import { stringOption } from '../../options.js';
import type { Session } from '../../session.js';
import {
  auditLockfiles,
  refused,
  refuseAudited,
  verifyBaseModel,
  verifyDatasets,
} from './preflight.js';

/** Verifies every link of a recorded run (`train verify`). */
export function verifyRecordedRun(
  session: Session,
  data: DatasetContext,
  id: string,
): Promise<RunVerification> {
  return verifyRun(
    {
      store: session.state.store,
      trusted: data.trusted,
      blobs: session.state.encryptedBlobs,
      checkDataset: datasetCheck(data),
    },
    id,
  );
}

/**
 * Re-runs a verified run with the same command, parameters, seed, datasets and isolation, and
 * compares its outputs with the signed digests. Only the record's signed facts are used, and
 * only after the record has been checked against its signature.
 */
export async function reproduce(
  context: CommandContext,
  input: CommandInput,
  session: Session,
  data: DatasetContext,
  id: string,
): Promise<CommandResult> {
  const facts = await refuseAudited(
    session,
    id,
    async () => {
      const verification = await verifyRecordedRun(session, data, id);
      // Outputs that changed since are what a reproduction is for; anything else is refused.
      const broken = verification.broken.filter((b) => !b.link.startsWith('output:'));
      if (broken[0] !== undefined) {
        throw refused(`run ${id} does not verify (${broken[0].link}: ${broken[0].message})`);
      }
      const stored = (await findRun(session.state.store, id)).facts;
      if (stored.status !== 'succeeded')
        throw refused(`run ${id} failed; there is nothing to reproduce`);
      await checkInputsUnchanged(context, input, stored);
      return stored;
    },
    'train.reproduce',
  );
  const datasets = await verifyDatasets(
    data,
    facts.datasets.map((d) => d.label),
  );
  const result = await reproduceRun(facts, {
    name: facts.name,
    command: facts.command,
    parameters: facts.parameters,
    seed: facts.seed,
    datasets,
    lockfiles: facts.lockfiles,
    isolate: facts.isolation.requested,
    outputs: facts.outputs.map((o) => o.path),
    cwd: facts.cwd ?? context.cwd,
    callerEnv: context.env,
    principal: { subject: session.principal.subject, type: session.principal.type },
  });
  const differing = result.outputs.filter((o) => !o.identical);
  await session.identity.access.record(
    session.principal,
    'train.reproduce',
    { type: 'training-run', id },
    {
      allowed: true,
      reason: result.identical
        ? `run ${id} reproduced byte-identically`
        : `run ${id} did not reproduce: ${result.failure ?? `${differing.length} output(s) differ`}`,
    },
  );
  const text = [
    result.identical
      ? `Run ${id} reproduces: every output is byte-identical.`
      : `Run ${id} does NOT reproduce${result.failure === undefined ? '' : `: ${result.failure}`}.`,
    ...result.outputs.map(
      (o) =>
        `  ${o.identical ? 'same   ' : 'DIFFERS'}  ${o.path}  ${o.original}${o.identical ? '' : ` → ${o.reproduced ?? 'not written'}`}`,
    ),
    ...(result.codeChanged === undefined
      ? []
      : [`  note: the code folder is now at ${result.codeChanged}, not the run's commit`]),
  ].join('\n');
  return { exitCode: result.identical ? 0 : 1, json: result, text };
}

// Lockfiles and a base model are files outside the state folder: they must still be what the
// run used (lockfiles are audited again, since advisories appear over time).
async function checkInputsUnchanged(
  context: CommandContext,
  input: CommandInput,
  facts: RunFacts,
): Promise<void> {
  for (const lockfile of facts.lockfiles) {
    const { digest } = await hashFile(lockfile.path);
    if (digest !== lockfile.digest)
      throw refused(`lockfile ${lockfile.path} changed since the run`);
  }
  const db = stringOption(input, 'db') ?? context.env.RAMPART_ADVISORY_DB;
  await auditLockfiles(
    facts.lockfiles.map((l) => l.path),
    db === undefined || db === '' ? undefined : path.resolve(context.cwd, db),
    context.location.home,
  );
  if (facts.baseModel !== undefined) {
    const key = stringOption(input, 'base-key');
    const base = await verifyBaseModel(
      facts.baseModel.path,
      key === undefined ? undefined : path.resolve(context.cwd, key),
    );
    if (base.digest !== facts.baseModel.digest) {
      throw refused(`base model ${base.path} changed since the run`);
    }
  }
  if (facts.paramsFile !== undefined) {
    const { digest } = await hashFile(facts.paramsFile.path);
    if (digest !== facts.paramsFile.digest) {
      throw refused(`parameters file ${facts.paramsFile.path} changed since the run`);
    }
  }
}
