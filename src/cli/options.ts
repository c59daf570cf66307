import { RampartError } from '../core/index.js';
import type { CommandInput } from './command.js';

/** The value of a string flag, if given. */
export function stringOption(input: CommandInput, name: string): string | undefined {
  const value = input.options[name];
  return typeof value === 'string' ? value : undefined;
}

/** Every value of a repeatable string flag, in order (empty when absent). */
export function listOption(input: CommandInput, name: string): string[] {
  const value = input.options[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** `--shard-size`: a positive whole number of bytes, if given. @throws RAMPART_USAGE */
export function shardSizeOption(input: CommandInput): number | undefined {
  const value = stringOption(input, 'shard-size');
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new RampartError(
      'RAMPART_USAGE',
      `--shard-size ${value} is not a positive whole number of bytes`,
    );
  }
  return Number(value);
}

/**
 * The action of a command with actions (`token create`), checked against the known ones.
 * @throws RAMPART_USAGE on a missing or unknown action
 */
export function actionOf<T extends string>(
  command: string,
  input: CommandInput,
  actions: readonly T[],
): T {
  const name = input.positionals[0] ?? '';
  const action = actions.find((candidate) => candidate === name);
  if (action === undefined) {
    throw new RampartError(
      'RAMPART_USAGE',
      `${command}: ${name === '' ? 'missing action' : `unknown action '${name}'`}`,
      {
        hint: `Use one of: ${actions.join(', ')}.`,
      },
    );
  }
  return action;
}

/**
 * The argument after the action, required or refused.
 * @throws RAMPART_USAGE
 */
export function actionArgument(command: string, input: CommandInput, name: string): string {
  const value = input.positionals[1];
  if (value === undefined) {
    throw new RampartError(
      'RAMPART_USAGE',
      `${command} ${input.positionals[0] ?? ''}: missing ${name}`,
    );
  }
  return value;
}
