import { accessReview } from '../../identity/index.js';
import type { Command } from '../command.js';
import { actionOf } from '../options.js';
import { openSession } from '../session.js';

/** `rampart access review`: who can do what. */
export const accessCommand: Command = {
  name: 'access',
  summary: 'Review who can do what (principals, roles, allowed actions, live tokens)',
  usage: 'access review [options]',
  description: [
    'review   every principal with its roles, the actions they allow and its live tokens.',
    'Separation of duties applies on top: nobody approves a model version they or a service',
    'account of theirs registered or trained. Needs admin, auditor or security-reviewer.',
  ].join('\n'),
  options: {},
  positionals: { min: 1, max: 1 },
  examples: ['rampart access review', 'rampart access review --json'],
  async run(context, input) {
    actionOf('access', input, ['review'] as const);
    const session = await openSession(context, { create: false });
    try {
      await session.authorize('access.review', { type: 'principal', id: '*' });
      const entries = await accessReview(session.state.store, new Date());
      const text = entries
        .map((e) =>
          [
            `${e.principal} (${e.type}${e.owner === null ? '' : `, owner ${e.owner}`}${e.disabled ? ', disabled' : ''}) roles: ${e.roles.join(', ')}; live tokens: ${e.activeTokens}`,
            `  may: ${e.actions.join(', ') || 'nothing'}`,
          ].join('\n'),
        )
        .join('\n');
      return { exitCode: 0, json: { principals: entries }, text };
    } finally {
      await session.close();
    }
  },
};
