// Fuzz target for the configuration file: loadConfig refuses bad YAML with a coded error,
// agrees with validateConfig on the same document, and returns a frozen config.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  defaultConfigYaml,
  loadConfig,
  YAML_PARSE_OPTIONS,
  validateConfig,
  type Config,
} from '../../src/config/index.js';
import { isRampartError, type RampartError } from '../../src/core/index.js';
import {
  TEXT_MUTATORS,
  treeMutator,
  type Codec,
  type Mutator,
} from '../../testkit/fuzz-mutators.js';
import type { TargetFactory, Verdict } from './target.js';

const YAML: Codec = {
  parse: (text: string): unknown => parseYaml(text, YAML_PARSE_OPTIONS),
  stringify: (value: unknown): string => stringifyYaml(value),
};
const SEED_TEXTS = [
  'server:\n  port: 8000\n',
  '{server: {host: "0.0.0.0", port: 1}, store: {url: "postgres://u@h/db", poolMax: 3}}\n',
  'log: &l {level: debug}\nhashing: {workers: 2, shardSize: 1000}\nencryption:\n  chunkSize: 1024\n',
  'server:\n  port: "x"\nstore:\n  nope: 1\n',
  '- 1\n- 2\n',
];

function attemptConfig(load: () => Config): Config | RampartError {
  try {
    return load();
  } catch (error) {
    if (isRampartError(error)) return error;
    throw error;
  }
}

function checkConfig(input: Buffer, scratch: string, file: string): Verdict {
  writeFileSync(file, input);
  const loaded = attemptConfig(() => loadConfig({ home: scratch, file, env: {} }).config);
  let raw: unknown;
  try {
    raw = YAML.parse(input.toString('utf8'));
  } catch {
    return isRampartError(loaded) ? 'rejected' : { failure: 'loadConfig accepted invalid YAML' };
  }
  if (raw !== null && raw !== undefined) {
    const direct = attemptConfig(() => validateConfig(raw));
    const same = isRampartError(direct)
      ? isRampartError(loaded, direct.code)
      : isDeepStrictEqual(direct, loaded);
    if (!same) return { failure: 'loadConfig and validateConfig disagree on the same YAML' };
  }
  if (isRampartError(loaded)) return 'rejected';
  return Object.isFrozen(loaded.server) ? 'accepted' : { failure: 'config is not frozen' };
}

/** loadConfig: bad YAML is refused, good YAML matches validateConfig and comes back frozen. */
export const config: TargetFactory = ({ scratch }) => {
  const file = path.join(scratch, 'rampart.yaml');
  return Promise.resolve({
    corpus: [defaultConfigYaml(), ...SEED_TEXTS].map((text) => Buffer.from(text)),
    mutators: [...TEXT_MUTATORS, ...Array<Mutator>(4).fill(treeMutator(YAML))],
    // yaml with prettyErrors is quadratic in the number of errors on one long line ('{a: '
    // repeated: 1.2 s at 256 KiB, 5 s at loadConfig's 1 MiB limit). That is known and
    // reported; small inputs keep the fuzzer fast and looking for new problems.
    maxInput: 16 * 1024,
    check: (input) => checkConfig(input, scratch, file),
  });
};
