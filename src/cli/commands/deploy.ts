import { RampartError } from '../../core/index.js';
import {
  abortDeployment,
  deploymentStatus,
  parseSteps,
  resetDeployment,
  servedModel,
  startDeployment,
  type Deployment,
} from '../../serving/index.js';
import type { Command, CommandInput, CommandResult } from '../command.js';
import { stringOption } from '../options.js';
import { openSession, withRegistry, type Session } from '../session.js';

const MODES = ['canary', 'status', 'reset', 'abort'] as const;
type Mode = (typeof MODES)[number];

/** `rampart deploy <model>`: canary deployments with automatic rollback. */
export const deployCommand: Command = {
  name: 'deploy',
  summary: 'Start, inspect, abort or reset a canary deployment of a served model',
  usage: 'deploy <model> (--canary <m@v> [--steps 5,25,50,100] | --status | --abort | --reset)',
  description: [
    '--canary <m@v>   send a growing share of <model> traffic to an approved version; the',
    '                 gateway advances a step per healthy window and rolls back to 0% at once',
    '                 (latched) when error rate or p99 latency break their gates',
    '--status         the deployment: versions, step, weight, state and the last reason',
    '--abort          stop a running deployment (canary at 0%)',
    '--reset          clear a latched rollback so a new deployment may start',
    'The canary must verify, not be quarantined, and have been approved for the served alias;',
    'the stable version is what that alias points at now. Needs a token with admin or deployer',
    '(--status: any role). See docs/canary.md.',
  ].join('\n'),
  options: {
    canary: { type: 'string', value: '<m@v>', description: 'the version to deploy as a canary' },
    steps: {
      type: 'string',
      value: '<p,p,…>',
      description:
        'with --canary: canary percentages, increasing, ending at 100 (default 5,10,25,50,100)',
    },
    status: { type: 'boolean', description: 'show the deployment' },
    abort: { type: 'boolean', description: 'stop a running deployment' },
    reset: { type: 'boolean', description: 'clear a latched rollback' },
    reason: { type: 'string', value: '<text>', description: 'with --abort or --reset: why' },
  },
  positionals: { min: 1, max: 1 },
  examples: [
    'rampart deploy fraud --canary fraud@4 --steps 5,25,50,100 --json',
    'rampart deploy fraud --status',
    'rampart deploy fraud --reset --reason "fixed in fraud@5"',
  ],
  async run(context, input) {
    const mode = modeOf(input);
    const model = input.positionals[0] ?? '';
    const steps = stringOption(input, 'steps');
    const stepList = steps === undefined ? undefined : parseSteps(steps);
    const session = await openSession(context, { create: false });
    try {
      if (mode === 'status') {
        await session.authorize('model.read', { type: 'deployment', id: model.slice(0, 256) });
        return report(await deploymentStatus(session.state.store, model), session);
      }
      const actor = session.principal;
      const reason = stringOption(input, 'reason');
      const done = await withRegistry(session, (registry) =>
        mode === 'canary'
          ? startDeployment(registry, session.state.config.gateway.models, actor, {
              model,
              canary: stringOption(input, 'canary') ?? '',
              ...(stepList === undefined ? {} : { steps: stepList }),
            })
          : mode === 'abort'
            ? abortDeployment(registry, actor, { model, reason })
            : resetDeployment(registry, actor, { model, reason }),
      );
      return report(done, session);
    } finally {
      await session.close();
    }
  },
};

// Exactly one of --canary, --status, --abort, --reset; --steps and --reason only where they apply.
function modeOf(input: CommandInput): Mode {
  const given = MODES.filter((m) => input.options[m] !== undefined);
  const [mode] = given;
  if (mode === undefined || given.length > 1) {
    throw new RampartError(
      'RAMPART_USAGE',
      `deploy: give exactly one of --canary, --status, --abort, --reset${given.length > 1 ? ` (got ${given.map((m) => `--${m}`).join(', ')})` : ''}`,
      { hint: 'Run `rampart deploy --help` for the usage.' },
    );
  }
  if (input.options.steps !== undefined && mode !== 'canary') {
    throw new RampartError('RAMPART_USAGE', 'deploy: --steps goes with --canary');
  }
  if (input.options.reason !== undefined && mode !== 'abort' && mode !== 'reset') {
    throw new RampartError('RAMPART_USAGE', 'deploy: --reason goes with --abort or --reset');
  }
  return mode;
}

function report(d: Deployment & { auditIndex?: number }, session: Session): CommandResult {
  const served = servedModel(session.state.config.gateway.models, d.model);
  const schedule = d.steps.map((s, i) => (i === d.step ? `[${s}]` : String(s))).join(',');
  const where =
    d.state === 'promoted'
      ? `v${d.canaryVersion} is the stable version, at 100%`
      : `canary v${d.canaryVersion} at ${d.weight}% against stable v${d.stableVersion}`;
  const text = [
    `${d.model} (${served.model}@${served.alias}): ${d.state.replace('_', ' ')}, ${where}`,
    `  steps ${schedule}; updated ${d.updatedAt} by ${d.updatedBy}`,
    ...(d.reason === null ? [] : [`  ${d.reason}`]),
  ].join('\n');
  return {
    exitCode: 0,
    json: { ...d, registryModel: served.model, alias: served.alias },
    text,
  };
}
