import type { Command } from '../command.js';

// Each command's code is loaded only when it runs: `rampart train run` should not pay for the
// ONNX runtime, the Parquet and Arrow readers or the scanner before it parses its arguments.
const LOADERS: readonly (readonly [string, () => Promise<Command>])[] = [
  ['init', async () => (await import('./init.js')).initCommand],
  ['up', async () => (await import('./up.js')).upCommand],
  ['gateway', async () => (await import('./gateway.js')).gatewayCommand],
  ['digest', async () => (await import('./digest.js')).digestCommand],
  ['scan', async () => (await import('./scan.js')).scanCommand],
  ['sign', async () => (await import('./sign.js')).signCommand],
  ['verify', async () => (await import('./verify.js')).verifyCommand],
  ['data', async () => (await import('./data.js')).dataCommand],
  ['deps', async () => (await import('./deps.js')).depsCommand],
  ['train', async () => (await import('./train.js')).trainCommand],
  ['model', async () => (await import('./model.js')).modelCommand],
  ['deploy', async () => (await import('./deploy.js')).deployCommand],
  ['monitor', async () => (await import('./monitor.js')).monitorCommand],
  ['feedback', async () => (await import('./feedback.js')).feedbackCommand],
  ['grant', async () => (await import('./grant.js')).grantCommand],
  ['config', async () => (await import('./config.js')).configCommand],
  ['audit', async () => (await import('./audit.js')).auditCommand],
  ['principal', async () => (await import('./principal.js')).principalCommand],
  ['token', async () => (await import('./token.js')).tokenCommand],
  ['access', async () => (await import('./access.js')).accessCommand],
  ['certs', async () => (await import('./certs.js')).certsCommand],
  ['keys', async () => (await import('./keys.js')).keysCommand],
];

/** Every command name, in the order `rampart --help` lists them. */
export const COMMAND_NAMES: readonly string[] = LOADERS.map(([name]) => name);

/** The command with this name, if any (its module is loaded now). */
export async function loadCommand(name: string): Promise<Command | undefined> {
  const load = LOADERS.find(([candidate]) => candidate === name)?.[1];
  return load === undefined ? undefined : load();
}

/** Every command, for `rampart --help` (loads them all). */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(LOADERS.map(([, load]) => load()));
}
