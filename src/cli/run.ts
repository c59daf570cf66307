import { parseArgs } from 'node:util';
import { resolveHome } from '../config/index.js';
import { packageVersion, RampartError, systemErrorCode, wrapError } from '../core/index.js';
import type { Command, CommandContext, CommandInput } from './command.js';
import { COMMAND_NAMES, loadCommand } from './commands/index.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { GLOBAL_OPTIONS } from './global-options.js';
import { commandHelp, globalHelp } from './help.js';
import { closest } from './suggest.js';
import { stringOption } from './options.js';

/** The process surroundings the CLI runs in; injected so tests can run it in-process. */
export type CliIO = Omit<CommandContext, 'location' | 'json' | 'token'>;

/** Runs `rampart <argv>` and returns the exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const json = argv.includes('--json');
  try {
    return await dispatch(argv, io, json);
  } catch (error) {
    const coded = wrapError(error, 'RAMPART_INTERNAL', describe(error));
    printError(coded, io, json);
    return exitCodeFor(coded.kind);
  }
}

async function dispatch(argv: readonly string[], io: CliIO, json: boolean): Promise<number> {
  const index = commandIndex(argv);
  if (index === -1) return noCommand(argv, io);
  const name = argv[index] ?? '';
  const command = await loadCommand(name);
  if (command === undefined) {
    const guess = closest(name, COMMAND_NAMES);
    throw new RampartError('RAMPART_USAGE', `unknown command '${name}'`, {
      hint:
        guess === undefined
          ? 'Run `rampart --help` to list the commands.'
          : `Did you mean \`rampart ${guess}\`?`,
    });
  }
  const rest = [...argv.slice(0, index), ...argv.slice(index + 1)];
  const input = parseCommandArgs(command, rest);
  if (input.options.help === true) return print(io, commandHelp(command));
  if (input.options.version === true) return print(io, `${packageVersion()}\n`);
  const location = resolveHome(
    { home: stringOption(input, 'home'), config: stringOption(input, 'config') },
    io.env,
    io.cwd,
  );
  const token = stringOption(input, 'token') ?? io.env.RAMPART_TOKEN;
  const result = await command.run({ ...io, location, json, token }, input);
  if (json) io.stdout.write(`${JSON.stringify(result.json, null, 2)}\n`);
  else if (result.text !== '')
    io.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
  return result.exitCode;
}

async function noCommand(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv.includes('--version') || argv.includes('-V')) return print(io, `${packageVersion()}\n`);
  if (argv.includes('--help') || argv.includes('-h')) return print(io, await globalHelp());
  const unknown = argv.find((arg) => arg.startsWith('-'));
  if (unknown !== undefined) {
    throw new RampartError('RAMPART_USAGE', `unknown option '${unknown}' before a command`, {
      hint: 'Run `rampart --help` to list the commands and global options.',
    });
  }
  io.stderr.write(await globalHelp());
  return EXIT.error;
}

// The command is the first argument that is neither an option nor the value of a global option.
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (!arg.startsWith('-')) return i;
    const spec = GLOBAL_OPTIONS[arg.replace(/^--/, '')];
    if (spec?.type === 'string' && !arg.includes('=')) i++;
  }
  return -1;
}

function parseCommandArgs(command: Command, args: readonly string[]): CommandInput {
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  try {
    const parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    const input: CommandInput = { positionals: parsed.positionals, options: parsed.values };
    if (input.options.help !== true) {
      checkPositionals(command, input.positionals);
      checkActionOptions(command, input);
    }
    return input;
  } catch (error) {
    if (error instanceof RampartError) throw error;
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    const flag = /'(--?[\w-]+)/.exec(message)?.[1];
    const guess =
      flag === undefined ? undefined : closest(flag.replace(/^-+/, ''), Object.keys(options));
    throw new RampartError('RAMPART_USAGE', `${command.name}: ${message}`, {
      hint:
        guess === undefined
          ? `Run \`rampart ${command.name} --help\` for its options.`
          : `Did you mean --${guess}? Run \`rampart ${command.name} --help\` for its options.`,
    });
  }
}

function checkPositionals(command: Command, positionals: readonly string[]): void {
  const { min, max } = command.positionals;
  if (positionals.length >= min && positionals.length <= max) return;
  const problem =
    positionals.length < min
      ? 'missing argument'
      : `unexpected argument '${positionals[max] ?? ''}'`;
  throw new RampartError('RAMPART_USAGE', `${command.name}: ${problem}`, {
    hint: `Usage: rampart ${command.usage}`,
  });
}

// An option that belongs to other actions of the command is an error, not silently ignored.
function checkActionOptions(command: Command, input: CommandInput): void {
  const action = input.positionals[0] ?? '';
  for (const [name, spec] of Object.entries(command.options)) {
    if (spec.actions === undefined || input.options[name] === undefined) continue;
    if (spec.actions.includes(action)) continue;
    throw new RampartError(
      'RAMPART_USAGE',
      `${command.name}: --${name} is an option of ${spec.actions.map((a) => `\`${command.name} ${a}\``).join(', ')}, not of \`${command.name} ${action}\``,
      { hint: `Run \`rampart ${command.name} --help\` for which option goes with which action.` },
    );
  }
}

function print(io: CliIO, text: string): number {
  io.stdout.write(text);
  return EXIT.ok;
}

function printError(error: RampartError, io: CliIO, json: boolean): void {
  if (json) {
    io.stdout.write(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
    return;
  }
  io.stderr.write(`rampart: error ${error.code}: ${error.message}\n  hint: ${error.hint}\n`);
}

function describe(error: unknown): string {
  const sys = systemErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return sys === undefined ? `unexpected error: ${message}` : `unexpected ${sys}: ${message}`;
}
