import { openAuditLog, type OpenedAuditLog } from '../../audit/index.js';
import { RampartError } from '../../core/index.js';
import type { Command, CommandInput } from '../command.js';
import { openSession, type Session } from '../session.js';
import { AUDIT_ACTIONS, type AuditAction } from './audit/actions.js';

/** `rampart audit <action>`: append to, read, prove, verify and witness the audit log. */
export const auditCommand: Command = {
  name: 'audit',
  summary: 'Append to, read, prove, verify and witness the tamper-evident audit log',
  usage: 'audit <append|tail|show|proof|consistency|verify|checkpoint|witness> [arg] [options]',
  description: [
    'append <file|->      append one JSON event (from a file, or - for stdin); prints {index, checkpoint}',
    'tail [--count N]     the last N entries (default 10)',
    'show <index>         one entry',
    'proof <index>        inclusion proof of an entry in the tree of --size N (default: all)',
    'consistency <from>   consistency proof from size <from> to --to N (default: all)',
    'verify               recompute every hash and check every checkpoint; exit 1 naming the',
    '                     first bad index when the log was tampered with',
    'checkpoint           the latest signed checkpoint (C2SP signed note)',
    'witness              check the latest checkpoint (local, or of the server at --url) against',
    '                     the one stored in --checkpoint-file: exit 1 on a rollback or fork',
    'Hashes in proofs are base64 (RFC 9162). See docs/audit.md.',
  ].join('\n'),
  options: {
    count: {
      type: 'string',
      value: '<n>',
      actions: ['tail'],
      description: 'tail: how many entries (default 10)',
    },
    size: {
      type: 'string',
      value: '<n>',
      actions: ['proof'],
      description: 'proof: tree size (default: the log size)',
    },
    to: {
      type: 'string',
      value: '<n>',
      actions: ['consistency'],
      description: 'consistency: larger tree size (default: all)',
    },
    'checkpoint-file': {
      type: 'string',
      value: '<file>',
      actions: ['witness'],
      description: 'witness: where the accepted checkpoint is kept (created on first contact)',
    },
    url: {
      type: 'string',
      value: '<url>',
      actions: ['witness'],
      description: 'witness: a control plane to witness instead of the local log',
    },
  },
  positionals: { min: 1, max: 2 },
  examples: [
    'rampart audit append event.json',
    'echo \'{"actor":{"subject":"ci","type":"service"},...}\' | rampart audit append -',
    'rampart audit tail --count 20',
    'rampart audit proof 41 --json',
    'rampart audit verify',
    'rampart audit witness --checkpoint-file witness.json --url http://127.0.0.1:8470',
  ],
  async run(context, input) {
    const action = actionFor(input);
    let session: Session | undefined;
    let opened: OpenedAuditLog | undefined;
    const open = async (): Promise<OpenedAuditLog> => {
      if (session === undefined) {
        session = await openSession(context, { create: false });
        const append = input.positionals[0] === 'append';
        await session.authorize(append ? 'audit.append' : 'audit.read', {
          type: 'audit-log',
          id: 'local',
        });
      }
      opened ??= await openAuditLog(session.state.store, session.state.layout);
      return opened;
    };
    try {
      return await action.run(context, input, open);
    } finally {
      await session?.close();
    }
  },
};

function actionFor(input: CommandInput): AuditAction {
  const [name = '', argument] = input.positionals;
  const action = Object.hasOwn(AUDIT_ACTIONS, name) ? AUDIT_ACTIONS[name] : undefined;
  if (action === undefined) {
    throw new RampartError('RAMPART_USAGE', `audit: unknown action '${name}'`, {
      hint: `Use one of: ${Object.keys(AUDIT_ACTIONS).join(', ')}.`,
    });
  }
  if ((action.argument === undefined) !== (argument === undefined)) {
    const problem =
      action.argument === undefined
        ? `unexpected argument '${argument ?? ''}'`
        : `missing ${action.argument}`;
    throw new RampartError('RAMPART_USAGE', `audit ${name}: ${problem}`, {
      hint: `Usage: rampart audit ${name}${action.argument === undefined ? '' : ` ${action.argument}`}`,
    });
  }
  return action;
}
