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
