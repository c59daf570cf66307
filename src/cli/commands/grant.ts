import { addGrants, listGrants, parseVerbs, revokeGrants } from '../../serving/index.js';
import type { Command } from '../command.js';
import { actionArgument, actionOf, listOption, stringOption } from '../options.js';
import { openSession } from '../session.js';

/** `rampart grant add|list|revoke`: who may call which served model through the gateway. */
export const grantCommand: Command = {
  name: 'grant',
  summary: 'Grant, list and revoke gateway permissions per served model and verb',
  usage: 'grant <add|list|revoke> [principal] [options]',
  description: [
    'add <principal> --model <m|*> --verb <infer,metadata>     allow calls to a served model',
    'revoke <principal> --model <m|*> --verb <infer,metadata>  take them back',
    'list [--principal <name>]                                  every grant',
    'The gateway denies by default: a token authenticates the caller, a grant authorises the',
    'call. Needs admin (list: admin, auditor or security-reviewer). See docs/gateway.md.',
  ].join('\n'),
  options: {
    model: {
      type: 'string',
      value: '<m|*>',
      actions: ['add', 'revoke'],
      description: 'add, revoke: the served model name, or * for all',
    },
    verb: {
      type: 'string',
      multiple: true,
      value: '<verbs>',
      actions: ['add', 'revoke'],
      description: 'add, revoke: infer and/or metadata (comma-separated, repeatable)',
    },
    principal: {
      type: 'string',
      value: '<name>',
      actions: ['list'],
      description: 'list: only this principal',
    },
  },
  positionals: { min: 1, max: 2 },
  examples: [
    'rampart grant add fraud-app --model fraud --verb infer,metadata',
    'rampart grant list --json',
    'rampart grant revoke fraud-app --model fraud --verb infer',
  ],
  async run(context, input) {
    const action = actionOf('grant', input, ['add', 'list', 'revoke'] as const);
    const session = await openSession(context, { create: false });
    try {
      const db = session.state.store;
      if (action === 'list') {
        const principal = stringOption(input, 'principal');
        await session.authorize('grant.read', { type: 'grant', id: principal ?? '*' });
        const grants = await listGrants(db, principal);
        const text = grants
          .map((g) => `${g.principal}  ${g.model}  ${g.verb}  by ${g.createdBy}`)
          .join('\n');
        return { exitCode: 0, json: { grants }, text: text === '' ? 'No grants.' : text };
      }
      const principal = actionArgument('grant', input, '<principal>');
      const model = stringOption(input, 'model') ?? '';
      const verbs = parseVerbs(listOption(input, 'verb'));
      await session.authorize('grant.manage', { type: 'grant', id: `${principal}:${model}` });
      if (action === 'revoke') {
        const removed = await revokeGrants(db, { principal, model, verbs });
        return {
          exitCode: 0,
          json: { principal, model, verbs, removed },
          text: `Revoked ${removed} grant(s) of ${principal} on ${model}.`,
        };
      }
      const grants = await addGrants(db, {
        principal,
        model,
        verbs,
        by: session.principal.subject,
        now: new Date(),
      });
      return {
        exitCode: 0,
        json: { grants },
        text: `${principal} may now ${grants.map((g) => g.verb).join(' and ')} on ${model}.`,
      };
    } finally {
      await session.close();
    }
  },
};
