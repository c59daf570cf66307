/** Running a training command (no shell) with its output captured to log files. */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { RampartError } from '../core/index.js';

/** How a command ended and where its logs are. */
export interface CommandOutcome {
  /** The exit code; null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdoutFile: string;
  readonly stderrFile: string;
}

/**
 * Runs `file args` in `cwd` with exactly `env`, stdin closed, stdout and stderr written to
 * `stdout.log` and `stderr.log` in `logDir`.
 * @throws RAMPART_TRAIN_COMMAND_UNAVAILABLE when the command cannot be started.
 */
export async function runCommand(options: {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly logDir: string;
}): Promise<CommandOutcome> {
  const stdoutFile = path.join(options.logDir, 'stdout.log');
  const stderrFile = path.join(options.logDir, 'stderr.log');
  const out = await open(stdoutFile, 'wx', 0o600);
  const err = await open(stderrFile, 'wx', 0o600);
  try {
    const ended = await new Promise<{ code: number | null; signal: string | null }>(
      (resolve, reject) => {
        const child = spawn(options.file, [...options.args], {
          cwd: options.cwd,
          env: options.env,
          stdio: ['ignore', out.fd, err.fd],
        });
        child.on('error', (error) => {
          reject(
            new RampartError(
              'RAMPART_TRAIN_COMMAND_UNAVAILABLE',
              `train run: cannot start ${JSON.stringify(options.file)}: ${error.message}`,
              { cause: error },
            ),
          );
        });
        child.on('close', (code, signal) => {
          resolve({ code, signal });
        });
      },
    );
    return { exitCode: ended.code, signal: ended.signal, stdoutFile, stderrFile };
  } finally {
    await out.close();
    await err.close();
  }
}

/** The git commit of a checkout and whether its working tree has changes. */
export interface GitState {
  readonly commit: string;
  readonly dirty: boolean;
}

/** The git state of `cwd`, or undefined when it is not a git checkout (or git is missing). */
export async function gitState(
  cwd: string,
  env: Readonly<Record<string, string>>,
): Promise<GitState | undefined> {
  const head = await capture('git', ['rev-parse', 'HEAD'], cwd, env);
  if (head === undefined || !/^[0-9a-f]{40,64}$/.test(head.trim())) return undefined;
  const status = await capture('git', ['status', '--porcelain'], cwd, env);
  if (status === undefined) return undefined;
  return { commit: head.trim(), dirty: status.trim() !== '' };
}

// Git's output is small (a commit id, a status list); a cap keeps a huge tree from using memory.
const MAX_GIT_OUTPUT = 4 * 1024 * 1024;

function capture(file: string, args: readonly string[], cwd: string, env: Record<string, string>) {
  return new Promise<string | undefined>((resolve) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_GIT_OUTPUT) chunks.push(chunk);
      else child.kill();
    });
    child.on('error', () => {
      resolve(undefined);
    });
    child.on('close', (code) => {
      resolve(
        code === 0 && size <= MAX_GIT_OUTPUT ? Buffer.concat(chunks).toString('utf8') : undefined,
      );
    });
  });
}
