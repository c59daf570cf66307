import path from 'node:path';
import { stringify } from 'yaml';
import { CONFIG_FILE_NAME, loadConfig } from '../../config/index.js';
import { RampartError } from '../../core/index.js';
import type { Command } from '../command.js';

const ACTIONS = ['show', 'check'] as const;

/** `rampart config show|check`: print or validate the effective configuration. */
export const configCommand: Command = {
  name: 'config',
  summary: 'Show or check the effective configuration (file + environment + defaults)',
  usage: 'config <show|check> [options]',
  description: [
    'show   prints the effective configuration: rampart.yaml (or --config), overridden by',
    '       RAMPART_* environment variables, with every default filled in.',
    'check  validates it and exits 0 when valid, 2 with every problem listed when not.',
    'Neither creates the state folder.',
  ].join('\n'),
  options: {},
  positionals: { min: 1, max: 1 },
  examples: ['rampart config show', 'rampart config check --config ./rampart.yaml --json'],
  run(context, input) {
    const action = input.positionals[0];
    if (action !== 'show' && action !== 'check') {
      throw new RampartError('RAMPART_USAGE', `config: unknown action '${action ?? ''}'`, {
        hint: `Use one of: ${ACTIONS.join(', ')}.`,
      });
    }
    const { home, configFile } = context.location;
    const loaded = loadConfig({ home, file: configFile, env: context.env });
    const source = loaded.source ?? `${path.join(home, CONFIG_FILE_NAME)} (absent: defaults)`;
    if (action === 'check') {
      return Promise.resolve({
        exitCode: 0,
        json: { valid: true, source: loaded.source },
        text: `Configuration is valid (${source}).`,
      });
    }
    return Promise.resolve({
      exitCode: 0,
      json: { source: loaded.source, config: loaded.config },
      text: `# effective configuration from ${source}\n${stringify(loaded.config, { lineWidth: 0 })}`,
    });
  },
};
