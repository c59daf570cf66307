import type { Readable, Writable } from 'node:stream';
import type { HomeLocation } from '../config/index.js';

/** One option a command accepts (the node:util parseArgs shape, plus help text). */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** Placeholder shown in help, e.g. `<path>`. */
  readonly value?: string;
  readonly description: string;
  /** For a command with actions (`data add`, `audit tail`): the actions this option belongs to. */
  readonly actions?: readonly string[];
}

/** What a command gets from the CLI: where state lives, the environment, output streams. */
export interface CommandContext {
  readonly location: HomeLocation;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly json: boolean;
  /** The API token from --token or $RAMPART_TOKEN, if any. */
  readonly token?: string | undefined;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Standard input, for commands that read `-`; absent when there is none to read. */
  readonly stdin?: Readable;
  /** Resolves with the signal name when the process is asked to stop (SIGINT/SIGTERM). */
  readonly shutdownSignal: () => Promise<string>;
}

/** Parsed arguments of one command. */
export interface CommandInput {
  readonly positionals: readonly string[];
  readonly options: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
}

/** What a command returns: the exit code, a JSON document for --json and text for people. */
export interface CommandResult {
  readonly exitCode: 0 | 1 | 2;
  readonly json: unknown;
  readonly text: string;
}

/** A CLI command: declared options and usage, and a thin `run` over the library. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Usage line after `rampart `, e.g. `digest <path> [options]`. */
  readonly usage: string;
  readonly description: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positionals: { readonly min: number; readonly max: number };
  readonly examples: readonly string[];
  run(context: CommandContext, input: CommandInput): Promise<CommandResult>;
}
