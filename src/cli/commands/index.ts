import type { Command } from '../command.js';
import { auditCommand } from './audit.js';
import { configCommand } from './config.js';
import { digestCommand } from './digest.js';
import { initCommand } from './init.js';
import { scanCommand } from './scan.js';
import { upCommand } from './up.js';

/** Every command, in the order `rampart --help` lists them. */
export const COMMANDS: readonly Command[] = [
  initCommand,
  upCommand,
  digestCommand,
  scanCommand,
  configCommand,
  auditCommand,
];

/** The command with this name, if any. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}
