// Wires the real process into runCli. The `rampart` binary (launcher.ts) runs the bundled copy.
import { once } from 'node:events';
import { runCli } from './run.js';

const shutdownSignal = async (): Promise<string> => {
  const stop = new AbortController();
  const signals = ['SIGINT', 'SIGTERM'].map(async (name) => {
    await once(process, name, { signal: stop.signal });
    return name;
  });
  const name = await Promise.race(signals);
  stop.abort();
  return name;
};

/** Runs `rampart` with this process's arguments, streams and environment; sets its exit code. */
export async function main(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    shutdownSignal,
  });
}
