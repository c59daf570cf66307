// The real serving stack for the gateway bench: a scratch state folder with the demo pipeline
// seeded (registered, approved, granted, API key), and startServing in front of an external
// OIP upstream, with authentication, rate limiting, validation and the access log all on.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLineBuffer, createLogger, HashPool } from '../src/core/index.js';
import { openIdentity } from '../src/identity/index.js';
import { openRegistry } from '../src/registry/index.js';
import { DEMO_MODEL, seedDemo, startServing } from '../src/serving/index.js';
import { openState, type State } from '../src/state/index.js';

/** The demo pipeline seeded into a scratch state folder. */
export interface SeededState {
  readonly apiKey: string;
  /** The registry version of the demo model (the upstream must serve this version). */
  readonly version: number;
  /**
   * Starts a gateway with the demo model forwarded to `upstream` (`http://host:port`), or served
   * by its own embedded model server in this process (null: the default configuration).
   */
  startGateway(
    upstream: string | null,
    options?: { readonly monitor?: boolean; readonly extraction?: boolean },
  ): Promise<{ readonly url: string }>;
  close(): Promise<void>;
}

// High enough never to refuse at the bench's load, so the limiter runs on every request
// without changing any answer.
const RATE_LIMIT = { rate: 1_000_000, burst: 10_000_000, cost: 'requests' } as const;

/** Opens `<dir>/state`, seeds the demo pipeline from the committed fixtures. */
export async function seedState(dir: string, fixtures: string): Promise<SeededState> {
  const home = path.join(dir, 'state');
  const state = await openState({ home, env: {} });
  const pool = new HashPool({ size: 1 });
  const log = createWriteStream(path.join(dir, 'gateway-access.log'));
  // As `rampart gateway` writes its log: in batches (core/line-buffer).
  const lines = createLineBuffer((text) => log.write(text));
  const servings: { close(): Promise<void> }[] = [];
  const close = async (): Promise<void> => {
    for (const serving of servings) await serving.close();
    await pool.close();
    await state.close();
    lines.close();
    log.end();
    await once(log, 'close');
  };
  try {
    const identity = await openIdentity(state);
    const registry = await openRegistry(state, identity, { pool, toolVersion: 'bench' });
    const seed = await seedDemo(registry, home, {
      dataset: path.join(fixtures, 'iris'),
      trainer: fileURLToPath(new URL('../scripts/demo-model/train.js', import.meta.url)),
      node: process.execPath,
      searchPath: process.env.PATH ?? '',
    });
    // The production logger: JSON lines, info level, one access line per request.
    const logger = createLogger({
      level: 'info',
      format: 'json',
      sink: lines.write,
    });
    return {
      apiKey: seed.apiKey,
      version: seed.version ?? 1,
      async startGateway(upstream, options = {}) {
        const running = await startServing({
          state: withGateway(state, upstream, options.monitor ?? true, options.extraction ?? true),
          identity,
          registry,
          logger,
          host: '127.0.0.1',
          port: 0,
        });
        servings.push(running);
        return { url: running.url };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

// monitor: the inference log (summary mode) and extraction detection, as configured by default.
function withGateway(
  state: State,
  upstream: string | null,
  monitor: boolean,
  extraction: boolean,
): State {
  const gateway = {
    ...state.config.gateway,
    rateLimit: RATE_LIMIT,
    // wrk's -c32 runs share one API key: the per-key cap must admit them all.
    maxInFlightPerKey: 1024,
    models: [{ name: DEMO_MODEL, model: null, alias: 'production', upstream, rateLimit: null }],
  };
  const defaults = state.config.monitor;
  const monitoring = {
    ...defaults,
    enabled: monitor,
    extraction: { ...defaults.extraction, enabled: extraction },
  };
  return { ...state, config: { ...state.config, gateway, monitor: monitoring } };
}
