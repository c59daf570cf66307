import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../src/cli/run.js';
import { cliPath } from './paths.js';

/** What one in-process CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rampart <args>` in-process with a clean environment plus `env`. */
export async function rampart(
  args: readonly string[],
  env: Record<string, string> = {},
  cwd = process.cwd(),
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli(args, {
    stdout,
    stderr,
    env,
    cwd,
    shutdownSignal: () => Promise.resolve('SIGTERM'),
  });
  return {
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

/**
 * Runs `rampart <args>` as the admin of `home`: initialises the state folder when needed and
 * passes its admin token in RAMPART_TOKEN.
 */
export async function rampartAsAdmin(
  args: readonly string[],
  home: string,
  env: Record<string, string> = {},
): Promise<CliRun> {
  const tokenFile = path.join(home, 'admin.token');
  if (!existsSync(tokenFile)) {
    const init = await rampart(['init', '--home', home]);
    if (init.code !== 0) return init;
  }
  return rampart(args, { RAMPART_TOKEN: readFileSync(tokenFile, 'utf8').trim(), ...env });
}

/** Starts the compiled CLI as a real child process (for servers and signals). */
export function spawnRampart(
  args: readonly string[],
  env: Record<string, string> = {},
): ChildProcess {
  return spawn(process.execPath, [cliPath, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
