// The real serving stack for the gateway bench: a scratch state folder with the demo pipeline
// seeded (registered, approved, granted, API key), then `rampart gateway` itself, one process
// per configuration, as it is deployed: authentication, rate limiting, validation and the
// access log (stderr, to a file) all on.
import { existsSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HashPool, packageRoot, RampartError } from '../src/core/index.js';
import { openIdentity } from '../src/identity/index.js';
import { openRegistry } from '../src/registry/index.js';
import { DEMO_MODEL, seedDemo } from '../src/serving/index.js';
import { openState, type State } from '../src/state/index.js';
import { pollUntil, spawnTracked, stopChild } from './gateway-procs.js';

/** A running `rampart gateway` process. */
export interface BenchGateway {
  readonly url: string;
  readonly pid: number;
}

/** What a bench gateway runs with. */
export interface GatewayVariant {
  /** Names its configuration and log files. */
  readonly name: string;
  /** `http://host:port` of an external OIP upstream, or null: the embedded model server. */
  readonly upstream: string | null;
  /** The inference monitor (log and extraction detection); default on. */
  readonly monitor?: boolean;
  /** Extraction detection; default on. */
  readonly extraction?: boolean;
}

/** The demo pipeline seeded into a scratch state folder. */
export interface SeededState {
  readonly apiKey: string;
  /** The registry version of the demo model (the upstream must serve this version). */
  readonly version: number;
  /** Starts `rampart gateway` with the demo model, configured as `variant` says. */
  startGateway(variant: GatewayVariant): Promise<BenchGateway>;
  /** Stops every gateway started. */
  close(): Promise<void>;
}

// High enough never to refuse at the bench's load, so the limiter runs on every request
// without changing any answer.
const RATE_LIMIT = { rate: 1_000_000, burst: 10_000_000, cost: 'requests' } as const;
const LISTENING_TIMEOUT_MS = 30_000;

/** Opens `<dir>/state`, seeds the demo pipeline from the committed fixtures, closes it. */
export async function seedState(dir: string, fixtures: string): Promise<SeededState> {
  const home = path.join(dir, 'state');
  const cli = path.join(packageRoot(), 'dist/bundle/cli/main.js');
  if (!existsSync(cli)) {
    throw new RampartError('RAMPART_INTERNAL', `gateway bench: ${cli} is missing`, {
      hint: 'run `npm run build` first',
    });
  }
  const state = await openState({ home, env: {} });
  const pool = new HashPool({ size: 1 });
  let seed: Awaited<ReturnType<typeof seedDemo>>;
  let config: State['config'];
  try {
    const identity = await openIdentity(state);
    const registry = await openRegistry(state, identity, { pool, toolVersion: 'bench' });
    seed = await seedDemo(registry, home, {
      dataset: path.join(fixtures, 'iris'),
      trainer: fileURLToPath(new URL('../scripts/demo-model/train.js', import.meta.url)),
      node: process.execPath,
      searchPath: process.env.PATH ?? '',
    });
    config = state.config;
  } finally {
    await pool.close();
    await state.close();
  }
  const running: ChildProcess[] = [];
  const { apiKey } = seed;
  const version = seed.version ?? 1;
  return {
    apiKey,
    version,
    async startGateway(variant) {
      const configFile = path.join(dir, `${variant.name}.yaml`);
      // JSON is YAML: the seeded configuration with this variant's gateway and monitor.
      writeFileSync(configFile, JSON.stringify(withGateway(config, variant), null, 1));
      const logFile = path.join(dir, `${variant.name}.log`);
      const log = openSync(logFile, 'w');
      let child: ChildProcess;
      try {
        child = spawnTracked(
          process.execPath,
          [cli, 'gateway', '--home', home, '--config', configFile, '--port', '0'],
          { stdio: ['ignore', 'ignore', log], env: { PATH: process.env.PATH ?? '' } },
        );
      } finally {
        closeSync(log);
      }
      running.push(child);
      const url = await listeningUrl(child, logFile);
      // The gateway listens before it has verified and loaded the model.
      await modelReady(
        `${url}/v2/models/${DEMO_MODEL}/versions/${String(version)}/ready`,
        apiKey,
        logFile,
      );
      return { url, pid: child.pid ?? 0 };
    },
    async close() {
      for (const child of running) await stopChild(child);
    },
  };
}

/** Waits for the gateway's `gateway listening` log line and returns its URL. */
async function listeningUrl(child: ChildProcess, logFile: string): Promise<string> {
  const log = (): string => readFileSync(logFile, 'utf8');
  const failure = (): string => `rampart gateway did not start: ${log().trim().slice(-500)}`;
  return pollUntil(
    () => {
      const line = /^\{.*"msg":"gateway listening".*\}$/m.exec(log())?.[0];
      if (line !== undefined) return Promise.resolve((JSON.parse(line) as { url: string }).url);
      if (child.exitCode !== null) throw new RampartError('RAMPART_INTERNAL', failure());
      return Promise.resolve(undefined);
    },
    failure,
    LISTENING_TIMEOUT_MS,
  );
}

/** Polls a model's readiness until the gateway answers 200. */
async function modelReady(url: string, apiKey: string, logFile: string): Promise<void> {
  let last = '';
  await pollUntil(
    async () => {
      const answer = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
      last = `${String(answer.status)}: ${(await answer.text()).slice(0, 300)}`;
      return answer.status === 200 ? true : undefined;
    },
    () =>
      `${url} still answers ${last}; its log: ${readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => !l.includes('"gateway request"'))
        .join('\n')
        .slice(0, 2000)}`,
    LISTENING_TIMEOUT_MS,
    100,
  );
}

// monitor: the inference log (summary mode) and extraction detection, as configured by default.
function withGateway(config: State['config'], variant: GatewayVariant): State['config'] {
  const gateway = {
    ...config.gateway,
    rateLimit: RATE_LIMIT,
    // wrk's -c32 runs share one API key: the per-key cap must admit them all.
    maxInFlightPerKey: 1024,
    models: [
      {
        name: DEMO_MODEL,
        model: null,
        alias: 'production',
        upstream: variant.upstream,
        rateLimit: null,
      },
    ],
  };
  const defaults = config.monitor;
  const monitor = {
    ...defaults,
    enabled: variant.monitor ?? true,
    extraction: { ...defaults.extraction, enabled: variant.extraction ?? true },
  };
  return { ...config, gateway, monitor };
}
