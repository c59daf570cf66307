/** Network isolation of a training command: its own empty network namespace (Linux unshare). */
import { spawn } from 'node:child_process';
import { RampartError } from '../core/index.js';

/** How a run was isolated, as recorded in its provenance. */
export interface Isolation {
  readonly requested: boolean;
  /** True only when the command ran inside a new network namespace. */
  readonly held: boolean;
  /** The wrapper used, e.g. `unshare -n`; absent without isolation. */
  readonly method?: string;
}

/** A command line wrapped for isolation. */
export interface IsolatedCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly isolation: Isolation;
}

// As root `unshare -n` suffices; an unprivileged user needs a user namespace too (-r).
const METHODS: readonly (readonly string[])[] = [['-n'], ['-r', '-n']];

/**
 * Wraps `argv` to run without network: the first `unshare` variant that works here (probed
 * with `true`). Without `isolate`, the command is returned as is.
 * @throws RAMPART_TRAIN_REFUSED when isolation was asked for and cannot be established: the
 *   run never falls back to running unisolated.
 */
export async function isolatedCommand(
  argv: readonly string[],
  isolate: boolean,
  env: Readonly<Record<string, string>>,
): Promise<IsolatedCommand> {
  const [file, ...args] = argv;
  if (file === undefined) throw new RampartError('RAMPART_USAGE', 'train run: missing command');
  if (!isolate) return { file, args, isolation: { requested: false, held: false } };
  const flags = await isolationFlags(env);
  if (flags !== undefined) {
    return {
      file: 'unshare',
      args: [...flags, '--', file, ...args],
      isolation: { requested: true, held: true, method: `unshare ${flags.join(' ')}` },
    };
  }
  throw new RampartError(
    'RAMPART_TRAIN_REFUSED',
    'train run: --isolate asked for a network namespace and `unshare -n` is not possible here; the command was not run',
    { details: { reason: 'isolation-unavailable' } },
  );
}

/** Whether a command can be run without network here (for callers that isolate where possible). */
export async function isolationAvailable(env: Readonly<Record<string, string>>): Promise<boolean> {
  return (await isolationFlags(env)) !== undefined;
}

// The first `unshare` variant that works here, probed with `true`.
async function isolationFlags(
  env: Readonly<Record<string, string>>,
): Promise<readonly string[] | undefined> {
  for (const flags of METHODS) {
    if (await succeeds('unshare', [...flags, 'true'], env)) return flags;
  }
  return undefined;
}

function succeeds(file: string, args: readonly string[], env: Readonly<Record<string, string>>) {
  return new Promise<boolean>((resolve) => {
    const child = spawn(file, args, { env, stdio: 'ignore' });
    child.on('error', () => {
      resolve(false);
    });
    child.on('close', (code) => {
      resolve(code === 0);
    });
  });
}
