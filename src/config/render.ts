import { stringify } from 'yaml';
import { validateConfig } from './load.js';

/** The rampart.yaml that `rampart init` writes: every key at its default, with a header. */
export function defaultConfigYaml(): string {
  const header = [
    '# Rampart configuration. Every key is shown at its default; see docs/configuration.md.',
    '# Environment variables (RAMPART_SERVER_PORT, RAMPART_STORE_URL, ...) override this file.',
    '',
  ].join('\n');
  return header + stringify(validateConfig({}), { lineWidth: 0 });
}
