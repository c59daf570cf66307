import { RampartError } from '../../core/index.js';
import type { State } from '../../state/index.js';
import { openSession, type Session } from '../session.js';
import { countBlobKeys } from '../../store/index.js';
import type { Command, CommandResult } from '../command.js';

const ACTIONS = ['rotate', 'status'] as const;

/** `rampart keys <rotate|status>`: rotate the key-encryption key and re-wrap the blob keys. */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'Rotate the key-encryption key and re-wrap every blob key; show key status',
  usage: 'keys <rotate|status> [--json]',
  description: [
    'rotate   make a new primary key-encryption key (local: keys/kek.key, the old one kept as',
    '         keys/kek-<id>.key; vault: a new Transit key version), then re-wrap every blob',
    '         data key under it. Blob files are never re-encrypted. Audited as keys.rotate.',
    'status   the provider, the primary key id and how many blob keys each key id wraps',
    'See docs/encryption.md.',
  ].join('\n'),
  options: {},
  positionals: { min: 1, max: 1 },
  examples: ['rampart keys status', 'rampart keys rotate --json'],
  async run(context, input) {
    const action = input.positionals[0] ?? '';
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new RampartError('RAMPART_USAGE', `keys: unknown action '${action}'`, {
        hint: `Use one of: ${ACTIONS.join(', ')}.`,
      });
    }
    const session = await openSession(context, { create: false });
    try {
      const rotating = action === 'rotate';
      await session.authorize(rotating ? 'keys.rotate' : 'keys.read', {
        type: 'kek',
        id: session.state.config.encryption.provider,
      });
      return rotating ? await rotate(session) : await status(session.state);
    } finally {
      await session.close();
    }
  },
};

async function rotate({ state, identity, principal }: Session): Promise<CommandResult> {
  const provider = state.kekProvider;
  const previous = await provider.primaryId();
  const { kekId: primary } = await provider.rotate();
  const { rewrapped, unchanged } = await state.encryptedBlobs.rewrapAll();
  const recorded = await identity.access.record(
    principal,
    'keys.rotate',
    { type: 'kek', id: primary },
    {
      allowed: true,
      reason: `rotated ${previous} -> ${primary}; re-wrapped ${rewrapped} blob key(s)`,
    },
  );
  const audit = { index: recorded.auditIndex };
  return {
    exitCode: 0,
    json: { provider: provider.name, previous, primary, rewrapped, unchanged, audit },
    text: [
      `rotated the ${provider.name} key-encryption key: ${previous} -> ${primary}`,
      `re-wrapped ${rewrapped} blob key(s), ${unchanged} already under the new key`,
      `audit entry ${audit.index}`,
    ].join('\n'),
  };
}

async function status(state: State): Promise<CommandResult> {
  const provider = state.kekProvider;
  const primary = await provider.primaryId();
  const counts = await countBlobKeys(state.store);
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  const lines = counts.map(
    (c) => `  ${c.kekId}${c.kekId === primary ? ' (primary)' : ''}  ${c.count}`,
  );
  return {
    exitCode: 0,
    json: { provider: provider.name, primary, blobKeys: { total, byKek: counts } },
    text: [
      `provider  ${provider.name}`,
      `primary   ${primary}`,
      `blob keys ${total}`,
      ...lines,
    ].join('\n'),
  };
}
