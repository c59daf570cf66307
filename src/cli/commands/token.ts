import { createToken, listTokens, parseLifetime, revokeToken } from '../../identity/index.js';
import type { Command } from '../command.js';
import { actionArgument, actionOf, stringOption } from '../options.js';
import { openSession } from '../session.js';

/** `rampart token create|list|revoke`: API tokens, shown once and stored hashed. */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'Create, list and revoke API tokens',
  usage: 'token <create|list|revoke> [id] [options]',
  description: [
    'create --principal <name> [--expires 30d]   issue a token; it is printed once, only its',
    '                                            SHA-256 is stored (default lifetime 90d)',
    'list [--principal <name>]                   ids, owners, expiry and revocation (never tokens)',
    'revoke <id>                                 revoke a token at once',
    'Needs a token with the admin role (list: admin or auditor). See docs/identity.md.',
  ].join('\n'),
  options: {
    principal: {
      type: 'string',
      value: '<name>',
      actions: ['create', 'list'],
      description: 'create: whose token; list: only this principal',
    },
    expires: {
      type: 'string',
      value: '<Nd|Nh|Nm>',
      actions: ['create'],
      description: 'create: lifetime (default 90d, at most identity.tokenMaxDays)',
    },
  },
  positionals: { min: 1, max: 2 },
  examples: [
    'rampart token create --principal alice --expires 30d --json',
    'rampart token list',
    'rampart token revoke tok_3f9a0c1d2e4b',
  ],
  async run(context, input) {
    const action = actionOf('token', input, ['create', 'list', 'revoke'] as const);
    const session = await openSession(context, { create: false });
    try {
      const db = session.state.store;
      const by = session.principal.subject;
      if (action === 'create') {
        const principal = stringOption(input, 'principal') ?? by;
        await session.authorize('token.create', { type: 'principal', id: principal });
        const maxDays = session.state.config.identity.tokenMaxDays;
        const lifetimeMs = parseLifetime(
          stringOption(input, 'expires') ?? `${Math.min(90, maxDays)}d`,
          maxDays,
        );
        const created = await createToken(db, {
          principal,
          lifetimeMs,
          createdBy: by,
          now: new Date(),
        });
        return {
          exitCode: 0,
          json: {
            token: created.token,
            id: created.record.id,
            principal,
            expiresAt: created.record.expiresAt,
          },
          text: [
            created.token,
            `Token ${created.record.id} for ${principal}, expires ${created.record.expiresAt ?? 'never'}.`,
            'It is shown only now; Rampart keeps only its hash.',
          ].join('\n'),
        };
      }
      if (action === 'list') {
        await session.authorize('token.list', { type: 'token', id: '*' });
        const tokens = await listTokens(db, stringOption(input, 'principal'));
        const text = tokens
          .map(
            (t) =>
              `${t.id}  ${t.principal}  expires ${t.expiresAt ?? 'never'}${t.revokedAt === null ? '' : `  revoked ${t.revokedAt}`}`,
          )
          .join('\n');
        return { exitCode: 0, json: { tokens }, text: text === '' ? 'No API tokens.' : text };
      }
      const id = actionArgument('token', input, '<id>');
      await session.authorize('token.revoke', { type: 'token', id });
      const revoked = await revokeToken(db, { id, revokedBy: by, now: new Date() });
      return {
        exitCode: 0,
        json: revoked,
        text: `Token ${revoked.id} of ${revoked.principal} revoked at ${revoked.revokedAt ?? ''}.`,
      };
    } finally {
      await session.close();
    }
  },
};
