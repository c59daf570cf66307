import type { Command } from '../command.js';
import { accessCommand } from './access.js';
import { auditCommand } from './audit.js';
import { certsCommand } from './certs.js';
import { configCommand } from './config.js';
import { dataCommand } from './data.js';
import { deployCommand } from './deploy.js';
import { depsCommand } from './deps.js';
import { digestCommand } from './digest.js';
import { feedbackCommand } from './feedback.js';
import { gatewayCommand } from './gateway.js';
import { grantCommand } from './grant.js';
import { initCommand } from './init.js';
import { keysCommand } from './keys.js';
import { modelCommand } from './model.js';
import { monitorCommand } from './monitor.js';
import { principalCommand } from './principal.js';
import { scanCommand } from './scan.js';
import { signCommand } from './sign.js';
import { tokenCommand } from './token.js';
import { trainCommand } from './train.js';
import { upCommand } from './up.js';
import { verifyCommand } from './verify.js';

/** Every command, in the order `rampart --help` lists them. */
export const COMMANDS: readonly Command[] = [
  initCommand,
  upCommand,
  gatewayCommand,
  digestCommand,
  scanCommand,
  signCommand,
  verifyCommand,
  dataCommand,
  depsCommand,
  trainCommand,
  modelCommand,
  deployCommand,
  monitorCommand,
  feedbackCommand,
  grantCommand,
  configCommand,
  auditCommand,
  principalCommand,
  tokenCommand,
  accessCommand,
  certsCommand,
  keysCommand,
];

/** The command with this name, if any. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}
