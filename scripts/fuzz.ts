// Mutation fuzzer for every parser of untrusted bytes. Each target starts from valid inputs
// made at startup and mutates them; an input fails the run when the parser throws anything
// but a RampartError, breaks the target's rule (a tampered envelope verifies, a round trip
// changes a value), runs past the per-input deadline, hangs or crashes the process. Each
// target runs in its own child process that journals every input to disk before parsing it,
// so even a native abort or a hang leaves the offending input behind.
//   node dist/scripts/fuzz.js [--seconds N] [--target NAME]... [--seed S] [--iterations N]
//   node dist/scripts/fuzz.js --target NAME --seed S --replay FILE
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fuzzChild } from './fuzz-child.js';
import { CHILD_FLAG, type ChildJob } from './fuzz-protocol.js';
import { runTarget } from './fuzz-runner.js';
import { judge, makeTarget, TARGETS } from './fuzz-targets/index.js';

/** This compiled script; children are forked from it with CHILD_FLAG. */
const SCRIPT = fileURLToPath(import.meta.url);

interface Options {
  readonly seconds: number;
  readonly targets: readonly string[];
  readonly seed: string;
  readonly iterations: number | undefined;
  readonly replay: string | undefined;
}

const USAGE =
  'usage: node dist/scripts/fuzz.js [--seconds N] [--target NAME]... [--seed S] [--iterations N]\n' +
  '       node dist/scripts/fuzz.js --target NAME --seed S --replay FILE\n' +
  `targets: ${Object.keys(TARGETS).join(', ')}\n`;

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seconds: { type: 'string', default: '60' },
      target: { type: 'string', multiple: true },
      seed: { type: 'string' },
      iterations: { type: 'string' },
      replay: { type: 'string' },
    },
    strict: true,
  });
  const targets = values.target ?? Object.keys(TARGETS);
  const unknown = targets.find((name) => !(name in TARGETS));
  if (unknown !== undefined) throw new TypeError(`unknown target ${unknown}`);
  if (values.replay !== undefined && (targets.length !== 1 || values.seed === undefined)) {
    throw new TypeError('--replay needs exactly one --target and the --seed of the run');
  }
  return {
    seconds: positive(values.seconds, '--seconds'),
    targets,
    seed: values.seed ?? randomBytes(4).toString('hex'),
    iterations:
      values.iterations === undefined ? undefined : positive(values.iterations, '--iterations'),
    replay: values.replay,
  };
}

function positive(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${flag} must be positive`);
  return value;
}

async function replay(options: Options, file: string): Promise<number> {
  const name = options.targets[0] ?? '';
  const scratch = mkdtempSync(path.join(tmpdir(), 'rampart-fuzz-'));
  try {
    const target = await makeTarget(name, options.seed, scratch);
    const verdict = await judge(target, readFileSync(file));
    console.log(
      `${name} ${file}: ${typeof verdict === 'object' ? `FAIL ${verdict.failure}` : verdict}`,
    );
    return typeof verdict === 'object' ? 1 : 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Runs every chosen target in turn, prints one summary line each, and counts failures. */
async function fuzzAll(options: Options): Promise<number> {
  const { seed, iterations } = options;
  const budgetMs = (options.seconds * 1000) / options.targets.length;
  const plan =
    iterations === undefined ? `${options.seconds} s` : `${iterations} inputs per target`;
  console.log(`rampart fuzz: seed ${seed}, ${plan}, targets ${options.targets.join(' ')}`);
  console.log('target iterations failures');
  let failures = 0;
  for (const name of options.targets) {
    const summary = await runTarget({ script: SCRIPT, name, seed, budgetMs, iterations });
    console.log(`${name} ${summary.iterations} ${summary.failures}`);
    process.stderr.write(`  (${name}: the parser accepted ${summary.accepted} inputs)\n`);
    failures += summary.failures;
  }
  return failures;
}

async function main(argv: readonly string[]): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(
      `fuzz: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`,
    );
    return 2;
  }
  if (options.replay !== undefined) return replay(options, options.replay);
  return (await fuzzAll(options)) > 0 ? 1 : 0;
}

if (process.argv[2] === CHILD_FLAG) {
  await fuzzChild(JSON.parse(process.argv[3] ?? '{}') as ChildJob);
} else if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === SCRIPT) {
  process.exitCode = await main(process.argv.slice(2));
}
