#!/usr/bin/env node
// The `rampart` binary: wires the real process into runCli and exits with its code.
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

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  shutdownSignal,
});
process.exitCode = code;
