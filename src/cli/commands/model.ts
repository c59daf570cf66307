import { RampartError } from '../../core/index.js';
import {
  listPromotionRequests,
  listRegisteredModels,
  modelBom,
  quarantineModelVersion,
  registerModel,
  requestPromotion,
  reviewPromotion,
  setModelAlias,
  showModel,
  verifyModelVersion,
  type RegistryContext,
} from '../../registry/index.js';
import type { Command, CommandInput, CommandResult } from '../command.js';
import { actionArgument, actionOf, listOption, stringOption } from '../options.js';
import { openSession, withRegistry, type Session } from '../session.js';
import { renderPromotion, renderShow } from './model/render.js';

const ACTIONS = [
  'register',
  'show',
  'list',
  'verify',
  'promote',
  'approve',
  'reject',
  'requests',
  'alias',
  'quarantine',
  'bom',
] as const;
type ModelAction = (typeof ACTIONS)[number];

/** `rampart model <action>`: the model registry. */
export const modelCommand: Command = {
  name: 'model',
  summary: 'Register, inspect, verify, promote, approve and quarantine model versions',
  usage:
    'model <register|show|list|verify|promote|approve|reject|requests|alias|quarantine|bom> [arg] [options]',
  description: [
    'register <path> --name <m>     scan, sign and store a new immutable version (exit 1 on findings)',
    'show <m>[@<v>]                 a model (versions, aliases) or one version (digest, files, lineage)',
    'list                           every model with its aliases',
    'verify <m@v>                   re-hash the stored blobs and check the signature (exit 1 if not)',
    'promote <m@v> --to <alias>     request a promotion (protected aliases need approvals)',
    'approve|reject <request>       review a request as approver or security-reviewer',
    'requests [<m>]                 promotion requests, newest first',
    'alias <m@v> --to <alias>       point an unprotected alias at a version',
    'quarantine <m@v> --reason <r>  remove a version from every alias and block its promotion',
    'bom <m@v>                      the CycloneDX 1.6 ML-BOM of a version (JSON)',
    'Needs a token (--token or $RAMPART_TOKEN). See docs/registry.md.',
  ].join('\n'),
  options: {
    name: {
      type: 'string',
      value: '<m>',
      actions: ['register'],
      description: 'register: the model name',
    },
    run: {
      type: 'string',
      value: '<id>',
      actions: ['register'],
      description: 'register: the training run that produced it',
    },
    dataset: {
      type: 'string',
      multiple: true,
      value: '<name@N>',
      actions: ['register'],
      description: 'register: a dataset version it was trained on (repeatable)',
    },
    to: {
      type: 'string',
      value: '<alias>',
      actions: ['promote', 'alias'],
      description: 'promote, alias: the target alias',
    },
    evidence: {
      type: 'string',
      multiple: true,
      value: '<file>',
      actions: ['promote'],
      description: 'promote: an evaluation report to attach (repeatable)',
    },
    comment: {
      type: 'string',
      value: '<text>',
      actions: ['approve', 'reject'],
      description: 'approve, reject: a comment',
    },
    reason: {
      type: 'string',
      value: '<text>',
      actions: ['quarantine'],
      description: 'quarantine: why',
    },
  },
  positionals: { min: 1, max: 2 },
  examples: [
    'rampart model register ./model --name fraud --dataset transactions@3 --json',
    'rampart model promote fraud@1 --to production --evidence eval.json --json',
    'rampart model approve pr_5f2c8e0a1b3d4c6e --comment "AUC 0.97 on holdout"',
    'rampart model show fraud --json',
    'rampart model quarantine fraud@1 --reason "backdoor suspected"',
  ],
  async run(context, input) {
    const action = actionOf('model', input, ACTIONS);
    const session = await openSession(context, { create: false });
    try {
      return await withRegistry(session, (registry) => runAction(action, registry, session, input));
    } finally {
      await session.close();
    }
  },
};

async function runAction(
  action: ModelAction,
  registry: RegistryContext,
  session: Session,
  input: CommandInput,
): Promise<CommandResult> {
  const actor = session.principal;
  const arg = (name: string) => actionArgument('model', input, name);
  switch (action) {
    case 'register': {
      const name = required(input, 'name', 'register');
      const done = await registerModel(registry, actor, {
        path: arg('<path>'),
        name,
        runId: stringOption(input, 'run'),
        datasets: listOption(input, 'dataset'),
      });
      return {
        exitCode: 0,
        json: {
          name: done.name,
          version: done.version,
          digest: done.digest,
          files: done.files,
          size: done.size,
          scan: done.scanDigest,
          auditIndex: done.auditIndex,
        },
        text: `Registered ${done.name}@${done.version} (${done.digest}, ${done.files} file(s), scan clean).`,
      };
    }
    case 'show': {
      const view = await showModel(registry, actor, arg('<m>[@<v>]'));
      return { exitCode: 0, json: view, text: renderShow(view) };
    }
    case 'list': {
      const { models } = await listRegisteredModels(registry, actor);
      const text = models
        .map(
          (m) =>
            `${m.name}  ${m.versions} version(s)  ${Object.entries(m.aliases)
              .map(([a, v]) => `${a}→${v}`)
              .join(' ')}`,
        )
        .join('\n');
      return {
        exitCode: 0,
        json: { models },
        text: text === '' ? 'No models are registered.' : text,
      };
    }
    case 'verify': {
      const done = await verifyModelVersion(registry, actor, arg('<m@v>'));
      return {
        exitCode: 0,
        json: { verified: true, ...done },
        text: `${done.name}@${done.version} verifies: ${done.files} blob(s) re-hashed, signature valid.`,
      };
    }
    case 'promote': {
      const done = await requestPromotion(registry, actor, {
        ref: arg('<m@v>'),
        alias: required(input, 'to', 'promote'),
        evidence: listOption(input, 'evidence').map((file) => ({ path: file })),
      });
      return { exitCode: 0, json: done, text: renderPromotion(done) };
    }
    case 'approve':
    case 'reject': {
      const done = await reviewPromotion(registry, actor, {
        requestId: arg('<request>'),
        decision: action,
        comment: stringOption(input, 'comment'),
      });
      return { exitCode: 0, json: done, text: renderPromotion(done) };
    }
    case 'requests': {
      const { requests } = await listPromotionRequests(registry, actor, input.positionals[1]);
      const text = requests
        .map(
          (r) =>
            `${r.id}  ${r.name}@${r.version} → ${r.alias}  ${r.state}  by ${r.requestedBy}  expires ${r.expiresAt}`,
        )
        .join('\n');
      return {
        exitCode: 0,
        json: { requests },
        text: text === '' ? 'No promotion requests.' : text,
      };
    }
    case 'alias': {
      const done = await setModelAlias(registry, actor, {
        ref: arg('<m@v>'),
        alias: required(input, 'to', 'alias'),
      });
      return {
        exitCode: 0,
        json: done,
        text: `${done.name}@${done.alias} now points at version ${done.version}.`,
      };
    }
    case 'quarantine': {
      const done = await quarantineModelVersion(registry, actor, {
        ref: arg('<m@v>'),
        reason: required(input, 'reason', 'quarantine'),
      });
      return {
        exitCode: 0,
        json: done,
        text: `${done.name}@${done.version} is quarantined; removed from aliases: ${done.removedAliases.join(', ') || 'none'}; cancelled requests: ${done.cancelledRequests.join(', ') || 'none'}.`,
      };
    }
    case 'bom': {
      const { bom } = await modelBom(registry, actor, arg('<m@v>'));
      return { exitCode: 0, json: bom, text: JSON.stringify(bom, null, 2) };
    }
  }
}

function required(input: CommandInput, option: string, action: string): string {
  const value = stringOption(input, option);
  if (value === undefined || value === '') {
    throw new RampartError('RAMPART_USAGE', `model ${action}: --${option} is required`, {
      hint: `Run \`rampart model --help\` for the options of model ${action}.`,
    });
  }
  return value;
}
