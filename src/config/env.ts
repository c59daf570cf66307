import { RampartError } from '../core/index.js';

/** How one environment variable overrides one configuration key. */
export interface EnvOverride {
  readonly variable: string;
  readonly path: readonly [string, string];
  readonly type: 'string' | 'integer' | 'nullable-string';
}

/** Every environment variable that overrides rampart.yaml (documented in docs/configuration.md). */
export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { variable: 'RAMPART_SERVER_HOST', path: ['server', 'host'], type: 'string' },
  { variable: 'RAMPART_SERVER_PORT', path: ['server', 'port'], type: 'integer' },
  { variable: 'RAMPART_STORE_URL', path: ['store', 'url'], type: 'nullable-string' },
  { variable: 'RAMPART_STORE_BUSY_TIMEOUT_MS', path: ['store', 'busyTimeoutMs'], type: 'integer' },
  { variable: 'RAMPART_LOG_LEVEL', path: ['log', 'level'], type: 'string' },
  { variable: 'RAMPART_LOG_FORMAT', path: ['log', 'format'], type: 'string' },
  { variable: 'RAMPART_HASHING_WORKERS', path: ['hashing', 'workers'], type: 'integer' },
];

/** RAMPART_* variables that are read elsewhere (not configuration keys) and so are allowed. */
const OTHER_VARIABLES = new Set(['RAMPART_HOME', 'RAMPART_CONFIG', 'RAMPART_TOKEN']);

/** Variables reserved for the test suite and benchmarks. */
const RESERVED_PREFIX = 'RAMPART_TEST_';

type Raw = Record<string, unknown>;

/**
 * Applies environment overrides on top of the parsed file contents (before validation).
 * @throws RAMPART_CONFIG_INVALID for an unknown RAMPART_* variable or a non-integer number.
 */
export function applyEnvOverrides(
  raw: Raw,
  env: Readonly<Record<string, string | undefined>>,
): Raw {
  const result: Raw = { ...raw };
  for (const name of Object.keys(env)) {
    if (!name.startsWith('RAMPART_') || name.startsWith(RESERVED_PREFIX)) continue;
    if (OTHER_VARIABLES.has(name) || ENV_OVERRIDES.some((o) => o.variable === name)) continue;
    throw new RampartError('RAMPART_CONFIG_INVALID', `unknown environment variable ${name}`, {
      hint: `Unset ${name}; docs/configuration.md lists the RAMPART_* variables.`,
      details: { variable: name },
    });
  }
  for (const override of ENV_OVERRIDES) {
    const text = env[override.variable];
    if (text === undefined) continue;
    const [section, key] = override.path;
    const current = result[section];
    const sectionObject: Raw =
      typeof current === 'object' && current !== null ? { ...(current as Raw) } : {};
    sectionObject[key] = convert(override, text);
    result[section] = sectionObject;
  }
  return result;
}

function convert(override: EnvOverride, text: string): unknown {
  switch (override.type) {
    case 'string':
      return text;
    case 'nullable-string':
      return text === '' ? null : text;
    case 'integer': {
      if (!/^-?\d+$/.test(text)) {
        throw new RampartError(
          'RAMPART_CONFIG_INVALID',
          `${override.variable}=${JSON.stringify(text)} is not an integer`,
          { details: { variable: override.variable } },
        );
      }
      return Number(text);
    }
  }
}
