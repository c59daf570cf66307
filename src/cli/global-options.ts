import type { OptionSpec } from './command.js';

/** Options every command accepts, before or after the command name. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  home: {
    type: 'string',
    value: '<dir>',
    description: 'state folder (default $RAMPART_HOME or ./.rampart)',
  },
  config: {
    type: 'string',
    value: '<file>',
    description: 'configuration file (default <home>/rampart.yaml)',
  },
  token: {
    type: 'string',
    value: '<token>',
    description: 'API token for commands that act on the state (default $RAMPART_TOKEN)',
  },
  json: { type: 'boolean', description: 'print one machine-readable JSON document on stdout' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
  version: { type: 'boolean', short: 'V', description: 'print the version' },
};
