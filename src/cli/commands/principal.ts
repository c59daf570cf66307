import {
  addPrincipal,
  disablePrincipal,
  listPrincipals,
  parseRoles,
} from '../../identity/index.js';
import type { Command } from '../command.js';
import { actionArgument, actionOf, listOption, stringOption } from '../options.js';
import { openSession } from '../session.js';

/** `rampart principal add|list`: people and service accounts and their roles. */
export const principalCommand: Command = {
  name: 'principal',
  summary: 'Add, list and disable principals (people and service accounts) and their roles',
  usage: 'principal <add|list|disable> [name] [options]',
  description: [
    'add <name> --role <r>[,<r>...]   add a person (or --service --owner <person>: a service account)',
    'list                             every principal with its roles',
    'disable <name>                   stop every token, JWT and certificate of the principal at once',
    'Roles: admin, data-steward, ml-engineer, approver, security-reviewer, deployer, auditor,',
    'incident-responder. Needs a token with the admin role (list: admin, auditor or',
    'security-reviewer; disable: admin or incident-responder). See docs/identity.md.',
  ].join('\n'),
  options: {
    role: {
      type: 'string',
      multiple: true,
      value: '<roles>',
      actions: ['add'],
      description: 'add: comma-separated roles (repeatable; none: only gateway grants apply)',
    },
    service: { type: 'boolean', actions: ['add'], description: 'add: a service account' },
    owner: {
      type: 'string',
      value: '<person>',
      actions: ['add'],
      description: 'add: the person who owns the service account',
    },
  },
  positionals: { min: 1, max: 2 },
  examples: [
    'rampart principal add alice --role ml-engineer',
    'rampart principal add ci-train --service --owner alice --role ml-engineer',
    'rampart principal list --json',
    'rampart principal disable ci-train',
  ],
  async run(context, input) {
    const action = actionOf('principal', input, ['add', 'list', 'disable'] as const);
    const session = await openSession(context, { create: false });
    try {
      const db = session.state.store;
      if (action === 'list') {
        await session.authorize('principal.list', { type: 'principal', id: '*' });
        const principals = await listPrincipals(db);
        const text = principals
          .map(
            (p) =>
              `${p.subject}  ${p.type}${p.owner === null ? '' : ` (owner ${p.owner})`}  ${p.roles.join(',')}${p.disabledAt === null ? '' : '  disabled'}`,
          )
          .join('\n');
        return { exitCode: 0, json: { principals }, text };
      }
      const name = actionArgument('principal', input, '<name>');
      if (action === 'disable') {
        await session.authorize('principal.disable', { type: 'principal', id: name });
        const disabled = await disablePrincipal(db, name, new Date());
        return {
          exitCode: 0,
          json: disabled,
          text: `Disabled ${disabled.subject} at ${disabled.disabledAt ?? ''}; its credentials no longer authenticate.`,
        };
      }
      await session.authorize('principal.add', { type: 'principal', id: name });
      const service = input.options.service === true;
      const added = await addPrincipal(db, {
        name,
        type: service ? 'service' : 'human',
        roles: parseRoles(listOption(input, 'role')),
        owner: stringOption(input, 'owner') ?? null,
        createdBy: session.principal.subject,
        now: new Date(),
      });
      return {
        exitCode: 0,
        json: added,
        text: `Added ${added.type === 'service' ? 'service account' : 'principal'} ${added.subject} with ${added.roles.length === 0 ? 'no roles' : `roles ${added.roles.join(', ')}`}.`,
      };
    } finally {
      await session.close();
    }
  },
};
