import { openState } from '../../state/index.js';
import type { Command } from '../command.js';
import { recordInit } from './audit/service-event.js';

/** `rampart init`: create the state folder with config, database, keys and admin token. */
export const initCommand: Command = {
  name: 'init',
  summary: 'Create the state folder: configuration, database, keys and admin token',
  usage: 'init [options]',
  description: [
    'Creates the state folder (--home, $RAMPART_HOME or ./.rampart) with rampart.yaml,',
    'the metadata database (migrated to the current schema), a signing key (ECDSA P-256),',
    'an audit checkpoint key (Ed25519), a key-encryption key and admin.token (mode 0600),',
    'and records state.init in the audit log when it created anything.',
    'Safe to run again: anything that exists is kept, never overwritten.',
  ].join('\n'),
  options: {},
  positionals: { min: 0, max: 0 },
  examples: ['rampart init', 'rampart init --home /var/lib/rampart --json'],
  async run(context) {
    const state = await openState({
      home: context.location.home,
      configFile: context.location.configFile,
      env: context.env,
    });
    try {
      const schemaVersion = await state.store.schemaVersion();
      const receipt = await recordInit(state);
      const json = {
        home: state.layout.home,
        created: state.created,
        config: state.configSource,
        store: state.store.dialect,
        schemaVersion,
        adminTokenFile: state.layout.adminToken,
        auditIndex: receipt?.index ?? null,
      };
      const text =
        state.created.length === 0
          ? `Rampart state in ${state.layout.home} is already initialised (schema ${schemaVersion}).`
          : [
              `Initialised Rampart state in ${state.layout.home}:`,
              ...state.created.map((p) => `  created ${p}`),
              `Admin token: ${state.layout.adminToken} (keep it secret; mode 0600).`,
            ].join('\n');
      return { exitCode: 0, json, text };
    } finally {
      await state.close();
    }
  },
};
