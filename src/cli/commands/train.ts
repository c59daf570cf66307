import path from 'node:path';
import { HashPool, RampartError } from '../../core/index.js';
import { datasetContext, type DatasetContext } from '../../data/index.js';
import { findRun, listRuns, recordRun } from '../../training/index.js';
import type { Command, CommandContext, CommandInput, CommandResult } from '../command.js';
import { actionArgument, actionOf, listOption, stringOption } from '../options.js';
import { openSession, type Session } from '../session.js';
import {
  auditLockfiles,
  readParamsFile,
  refuseAudited,
  verifyBaseModel,
  verifyDatasets,
} from './train/preflight.js';
import { reproduce, verifyRecordedRun } from './train/reproduce.js';

const ACTIONS = ['run', 'list', 'show', 'verify', 'reproduce'] as const;
const RUN = ['run'];

/** `rampart train`: recorded, signed training runs (SLSA Provenance v1). */
export const trainCommand: Command = {
  name: 'train',
  summary: 'Run a training command with verified inputs and record signed SLSA provenance',
  usage:
    'train run --name <name> [options] -- <command> [args...] | list | show <run> | verify <run> | reproduce <run>',
  description: [
    'run -- <command>  before the command: every --data version verifies, every --lockfile',
    '                  passes the dependency audit, the token allows train.run (else exit 1 and',
    '                  the command never runs); the command runs without a shell in a clean',
    '                  environment (PATH, HOME, LANG, TZ, RAMPART_SEED, PYTHONHASHSEED and',
    '                  RAMPART_DATA_<NAME> per dataset); its outputs are hashed and the signed',
    '                  provenance is stored. A failing command is recorded as a failed run (exit 1).',
    'list              the recorded runs, newest first',
    'show <run>        one run: its record and its provenance',
    'verify <run>      signature, record, outputs, logs and datasets still verify (exit 1 naming',
    '                  the link)',
    'reproduce <run>   run the verified record again (same command, parameters, seed, datasets,',
    '                  isolation) and compare the outputs byte for byte (exit 1 if any differs)',
    'See docs/training.md.',
  ].join('\n'),
  options: {
    name: { type: 'string', value: '<name>', actions: RUN, description: 'name of the run' },
    data: {
      type: 'string',
      multiple: true,
      value: '<name@N>',
      actions: RUN,
      description: 'a dataset version the run reads (repeatable)',
    },
    lockfile: {
      type: 'string',
      multiple: true,
      value: '<file>',
      actions: RUN,
      description: 'a lockfile the run depends on; must pass `deps audit` (repeatable)',
    },
    db: {
      type: 'string',
      value: '<path>',
      actions: ['run', 'reproduce'],
      description: 'advisory database for --lockfile (default $RAMPART_ADVISORY_DB)',
    },
    'base-model': {
      type: 'string',
      value: '<path>',
      actions: RUN,
      description: 'a pre-trained model the run starts from; its signature must verify',
    },
    'base-key': {
      type: 'string',
      value: '<pub.pem>',
      actions: ['run', 'reproduce'],
      description: 'public key the base model was signed with',
    },
    params: {
      type: 'string',
      value: '<file>',
      actions: RUN,
      description: 'JSON or YAML file of hyperparameters (recorded with its digest)',
    },
    param: {
      type: 'string',
      multiple: true,
      value: '<k=v>',
      actions: RUN,
      description: 'a hyperparameter recorded in the provenance (repeatable)',
    },
    seed: { type: 'string', value: '<N>', actions: RUN, description: 'the seed to export' },
    isolate: {
      type: 'boolean',
      actions: RUN,
      description: 'run without network (unshare -n); refused where impossible',
    },
    output: {
      type: 'string',
      multiple: true,
      value: '<path>',
      actions: RUN,
      description: 'a file the command writes; hashed into the provenance (repeatable)',
    },
  },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  examples: [
    'rampart train run --name fraud --data tx@3 --lockfile requirements.txt --seed 7 --output model.onnx -- python train.py',
    'rampart train verify 0b6f3c1e-…',
  ],
  async run(context, input) {
    const action = actionOf('train', input, ACTIONS);
    if (action !== 'run' && input.positionals.length > 2) {
      throw new RampartError('RAMPART_USAGE', `train ${action}: unexpected argument`);
    }
    const session = await openSession(context, { create: false });
    try {
      if (action === 'run') return await run(context, input, session);
      if (action === 'list') return await list(session);
      const id = actionArgument('train', input, 'run id');
      if (action === 'reproduce') {
        await session.authorize('train.run', { type: 'training-run', id });
        return await withContext(session, (data) => reproduce(context, input, session, data, id));
      }
      await session.authorize('train.read', { type: 'training-run', id });
      return action === 'show' ? await show(session, id) : await verify(session, id);
    } finally {
      await session.close();
    }
  },
};

async function withContext<T>(
  session: Session,
  fn: (context: DatasetContext) => Promise<T>,
): Promise<T> {
  const workers = session.state.config.hashing.workers;
  const pool = new HashPool(workers > 0 ? { size: workers } : {});
  try {
    return await fn(await datasetContext(session.state, pool, session.principal));
  } finally {
    await pool.close();
  }
}

async function run(
  context: CommandContext,
  input: CommandInput,
  session: Session,
): Promise<CommandResult> {
  const name = stringOption(input, 'name');
  if (name === undefined) throw new RampartError('RAMPART_USAGE', 'train run: --name is required');
  const command = input.positionals.slice(1);
  if (command.length === 0) {
    throw new RampartError('RAMPART_USAGE', 'train run: missing command', {
      hint: 'Usage: rampart train run --name <name> [options] -- <command> [args...]',
    });
  }
  const parameters = parseParams(listOption(input, 'param'));
  const seed = parseSeed(stringOption(input, 'seed'));
  await session.authorize('train.run', { type: 'training-run', id: name });
  return withContext(session, async (data) => {
    const checked = await refuseAudited(session, name, () => preflight(context, input, data));
    const recorded = await recordRun(
      {
        store: session.state.store,
        blobs: session.state.encryptedBlobs,
        signer: data.signer,
        now: data.now,
      },
      {
        name,
        command,
        parameters: { ...checked.params?.parameters, ...parameters },
        seed,
        datasets: checked.datasets,
        lockfiles: checked.lockfiles,
        ...(checked.baseModel === undefined ? {} : { baseModel: checked.baseModel }),
        ...(checked.params === undefined ? {} : { paramsFile: checked.params.file }),
        isolate: input.options.isolate === true,
        outputs: listOption(input, 'output').map((p) => path.resolve(context.cwd, p)),
        cwd: context.cwd,
        callerEnv: context.env,
        principal: { subject: session.principal.subject, type: session.principal.type },
      },
    );
    const { facts } = recorded;
    const succeeded = facts.status === 'succeeded';
    await session.identity.access.record(
      session.principal,
      'train.run',
      { type: 'training-run', id: facts.id },
      {
        allowed: succeeded,
        reason: succeeded ? `run ${name} succeeded` : `run ${name} failed: ${facts.failure ?? ''}`,
      },
    );
    const text = succeeded
      ? [
          `Run ${facts.id} (${name}) succeeded; provenance signed.`,
          ...facts.outputs.map((o) => `  ${o.digest}  ${o.path}`),
        ].join('\n')
      : `Run ${facts.id} (${name}) FAILED: ${facts.failure ?? ''}; recorded with its logs.`;
    return {
      exitCode: succeeded ? 0 : 1,
      json: { run: facts, outputs: facts.outputs, provenance: recorded.provenance },
      text,
    };
  });
}

// Everything `train run` checks before the command may start.
async function preflight(context: CommandContext, input: CommandInput, data: DatasetContext) {
  const resolve = (p: string) => path.resolve(context.cwd, p);
  const db = stringOption(input, 'db') ?? context.env.RAMPART_ADVISORY_DB;
  const lockfiles = await auditLockfiles(
    listOption(input, 'lockfile').map(resolve),
    db === undefined || db === '' ? undefined : resolve(db),
    context.location.home,
  );
  const base = stringOption(input, 'base-model');
  const baseKey = stringOption(input, 'base-key');
  if (base === undefined && baseKey !== undefined) {
    throw new RampartError('RAMPART_USAGE', 'train run: --base-key needs --base-model');
  }
  const baseModel =
    base === undefined
      ? undefined
      : await verifyBaseModel(resolve(base), baseKey === undefined ? undefined : resolve(baseKey));
  const paramsFile = stringOption(input, 'params');
  const params = paramsFile === undefined ? undefined : await readParamsFile(resolve(paramsFile));
  const datasets = await verifyDatasets(data, listOption(input, 'data'));
  return { lockfiles, baseModel, params, datasets };
}

function parseParams(values: readonly string[]): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at <= 0) throw new RampartError('RAMPART_USAGE', `--param ${value} is not k=v`);
    parameters[value.slice(0, at)] = value.slice(at + 1);
  }
  return parameters;
}

function parseSeed(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value) || Number(value) > 0xffffffff) {
    throw new RampartError('RAMPART_USAGE', `--seed ${value} is not a whole number 0..4294967295`);
  }
  return Number(value);
}

async function list(session: Session): Promise<CommandResult> {
  await session.authorize('train.read', { type: 'training-run', id: '*' });
  const runs = await listRuns(session.state.store);
  const lines = runs.map(
    (r) =>
      `${r.id}  ${r.status.padEnd(9)}  ${r.name}  ${r.startedAt}  ${r.principal}${r.isolated ? '  isolated' : ''}`,
  );
  return {
    exitCode: 0,
    json: { runs },
    text: lines.length === 0 ? 'No training runs.' : lines.join('\n'),
  };
}

async function show(session: Session, id: string): Promise<CommandResult> {
  const stored = await findRun(session.state.store, id);
  const f = stored.facts;
  const text = [
    `Run ${f.id}  ${f.name}  ${f.status}  exit ${f.exitCode ?? 'signal'}`,
    `  by ${f.principal.subject}  ${f.startedOn} → ${f.finishedOn}  isolation ${f.isolation.held ? (f.isolation.method ?? 'yes') : 'none'}`,
    `  command  ${JSON.stringify(f.command)}`,
    ...f.datasets.map((d) => `  dataset  ${d.label}  ${d.digest}`),
    ...f.lockfiles.map((l) => `  lockfile ${l.path}  ${l.digest}`),
    ...(f.baseModel === undefined
      ? []
      : [`  base     ${f.baseModel.path}  ${f.baseModel.digest}  key ${f.baseModel.keyId}`]),
    ...(f.paramsFile === undefined
      ? []
      : [`  params   ${f.paramsFile.path}  ${f.paramsFile.digest}`]),
    ...(f.git === undefined ? [] : [`  code     ${f.git.commit}${f.git.dirty ? ' (dirty)' : ''}`]),
    ...f.outputs.map((o) => `  output   ${o.path}  ${o.digest}`),
    `  logs     stdout ${f.logs.stdout}  stderr ${f.logs.stderr}`,
  ].join('\n');
  return {
    exitCode: 0,
    json: { run: f, outputs: f.outputs, provenance: JSON.parse(stored.provenance) as unknown },
    text,
  };
}

async function verify(session: Session, id: string): Promise<CommandResult> {
  const result = await withContext(session, (data) => verifyRecordedRun(session, data, id));
  const text = result.verified
    ? `Run ${id} verifies: signature, outputs, logs and datasets.`
    : [`Run ${id} does NOT verify:`, ...result.broken.map((b) => `  ${b.link}: ${b.message}`)].join(
        '\n',
      );
  return { exitCode: result.verified ? 0 : 1, json: result, text };
}
