// Child processes of the gateway bench (upstream, nginx, wrk): spawned so that they never outlive
// the bench, plus the few /proc readings the bench takes from them.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { RampartError } from '../src/core/index.js';

// Linux reports /proc CPU times in USER_HZ, which is 100 on every architecture Node supports.
const USER_HZ = 100;
const running = new Set<ChildProcess>();
let hooked = false;

/**
 * Spawns a child that is sent SIGTERM when this process exits — withScratchDir exits on Ctrl-C
 * and SIGTERM, so interrupted runs leave no nginx, wrk or model server behind.
 */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const child of running) child.kill('SIGTERM');
    });
  }
  const child = spawn(command, args, options);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Sends SIGTERM (if still running) and waits for the child to exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** The pids of a process's direct children. */
export function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(' ').map(Number);
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for nginx, which cannot report one). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Calls `probe` every `everyMs` until it returns a value or `ms` have passed; then throws with
 * `failure()` (`probe` may also give up early by throwing).
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  failure: () => string,
  ms = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new RampartError('RAMPART_INTERNAL', `gateway bench: ${failure()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Polls `url` until it answers at all (any status), for up to `ms`. */
export async function waitForHttp(url: string, ms = 10_000): Promise<void> {
  await pollUntil(
    () =>
      fetch(url).then(
        (answer) => answer.arrayBuffer().then(() => true),
        () => undefined,
      ),
    () => `${url} never answered`,
    ms,
  );
}

/** Collects a child's stdout and resolves with it once the child exits with status 0. */
export async function outputOf(child: ChildProcess, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  const errors: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => errors.push(chunk));
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  if (code !== 0) {
    const stderr = Buffer.concat(errors).toString('utf8').trim().slice(-500);
    throw new RampartError(
      'RAMPART_INTERNAL',
      `gateway bench: ${what} failed (${signal ?? `exit ${String(code)}`}): ${stderr}`,
    );
  }
  return Buffer.concat(chunks).toString('utf8');
}
