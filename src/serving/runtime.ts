/**
 * The serving stack of one process: the embedded ONNX model server (on a Unix socket in the
 * state folder, or loopback), the registry-backed router with its canary controller, and the
 * gateway listener in front of them, with the timers that keep them in step with the registry.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { RampartError, type Logger } from '../core/index.js';
import type { Identity, PrincipalRecord } from '../identity/index.js';
import { collectTable, openTableSource, verifyDatasetVersion } from '../data/index.js';
import { resolveModelVersion, type RegistryContext } from '../registry/index.js';
import type { State } from '../state/index.js';
import { CachedAuthenticator } from './auth-cache.js';
import { CanaryController } from './canary/controller.js';
import { startGateway } from './gateway/server.js';
import type { GatewayTls } from './gateway/types.js';
import { hasGrant, type Verb } from './grants.js';
import { EmbeddedModelServer } from './model-server/index.js';
import { startMonitor, type LiveReference } from './monitoring.js';
import type { Tensor } from './oip/types.js';
import { keepFirstRows } from './output-rows.js';
import { ServedModels } from './served-models.js';

/** What {@link startServing} needs. */
export interface ServingOptions {
  readonly state: State;
  readonly identity: Identity;
  readonly registry: RegistryContext;
  readonly logger: Logger;
  readonly host: string;
  readonly port: number;
  readonly tls?: GatewayTls | undefined;
}

/** A running serving stack. */
export interface RunningServing {
  readonly url: string;
  readonly port: number;
  readonly served: ServedModels;
  /** Re-reads the registry and deployments now (also runs every gateway.refreshMs). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/** Serving stacks started by this process (each gets its own model-server socket). */
let stacks = 0;

// Unix socket paths are limited to about 107 bytes; longer state paths fall back to loopback TCP.
const MAX_SOCKET_PATH = 100;

/** Starts the model server, the router and the gateway listener. */
export async function startServing(options: ServingOptions): Promise<RunningServing> {
  const { state, identity, logger } = options;
  const config = state.config.gateway;
  const runDir = path.join(state.layout.home, 'run');
  await mkdir(runDir, { recursive: true, mode: 0o700 });
  await removeStaleSockets(runDir);
  // One socket per stack: `rampart gateway` may run beside `rampart up` on one state folder.
  const socketPath = path.join(runDir, `models-${process.pid}-${++stacks}.sock`);
  const modelServer = await EmbeddedModelServer.start({
    ...(socketPath.length <= MAX_SOCKET_PATH ? { socketPath } : { host: '127.0.0.1', port: 0 }),
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    maxJsonDepth: config.maxJsonDepth,
  });
  const canary = new CanaryController({
    store: state.store,
    audit: identity.audit,
    config: config.canary,
    now: Date.now,
  });
  const served = new ServedModels({
    registry: options.registry,
    models: config.models,
    host: modelServer,
    canary,
    access: identity.access,
    logger,
  });
  const refresh = async (): Promise<void> => {
    await canary.refresh();
    await served.refresh();
  };
  try {
    await refresh();
  } catch (error) {
    await modelServer.close();
    throw error;
  }
  const monitor = await startMonitor({
    config: state.config.monitor,
    home: state.layout.home,
    logger,
    audit: identity.audit,
    source: `rampart://gateway/${os.hostname()}`,
    reference: (model, version) => trainingData(options.registry, model, version),
    predict: (model, version, rows) => predictHere(served, model, version, rows),
  }).catch(async (error: unknown) => {
    await modelServer.close();
    throw error;
  });
  const authenticator = new CachedAuthenticator(identity.authenticator, config.authCacheMs);
  const grants = new GrantCache(state, identity, config.authCacheMs);
  let gateway;
  try {
    gateway = await startGateway(
      {
        config,
        logger,
        authenticate: (credentials) => authenticator.check(credentials),
        authorize: (principal, model, verb) => grants.allows(principal, model, verb),
        router: served,
        extraMetrics: () => canary.metricsText() + (monitor?.metricsText() ?? ''),
        observer: monitor,
        tls: options.tls,
      },
      options.host,
      options.port,
    );
  } catch (error) {
    await monitor?.close();
    await modelServer.close();
    throw error;
  }
  const timers = [
    every(config.refreshMs, refresh, logger, 'registry refresh failed'),
    // A window is judged only after it ends: evaluate often enough to roll back within two.
    every(
      Math.max(50, Math.min(1000, config.canary.windowMs / 4)),
      () => canary.evaluate(),
      logger,
      'canary evaluation failed',
    ),
  ];
  const running = gateway;
  return {
    url: running.url,
    port: running.port,
    served,
    refresh,
    async close() {
      for (const timer of timers) clearInterval(timer);
      await running.close();
      await monitor?.close();
      await modelServer.close();
    },
  };
}

// 2 M cells (16 MB of numbers): larger training data leaves live drift off for that version.
const LIVE_REFERENCE_CELLS = 2_000_000;

// The gateway verifies a served version's training data as itself, like the versions it loads.
const GATEWAY_PRINCIPAL = {
  subject: 'rampart-gateway',
  type: 'service',
  roles: [],
  owner: null,
} as const;

/**
 * The first dataset version a served model version was trained on, re-verified and collected
 * for live drift; undefined when none is linked.
 * @throws when it does not verify (live drift stays off for that version, and says why).
 */
async function trainingData(
  registry: RegistryContext,
  model: string,
  version: string,
): Promise<LiveReference | undefined> {
  const record = await resolveModelVersion(registry.store, {
    name: model,
    selector: { kind: 'number', version: Number(version) },
  });
  const link = record.datasets[0];
  if (link === undefined) return undefined;
  const label = `${link.name}@${link.sequence}`;
  const checked = await verifyDatasetVersion(
    { ...registry.datasets, principal: GATEWAY_PRINCIPAL },
    label,
  );
  if (!checked.verified || checked.digest !== link.digest) {
    throw new RampartError(
      'RAMPART_DATA_REFERENCE_UNVERIFIED',
      `training data ${label} does not verify`,
    );
  }
  const source = await openTableSource(checked.path, label);
  // One pass: every value of every column (kept in memory for the life of the gateway: a
  // bounded share of what a check may hold), and the first complete rows on the way.
  const rows: number[][] = [];
  const table = await collectTable(
    keepFirstRows(source.batches(), rows, REFERENCE_PREDICT_ROWS),
    LIVE_REFERENCE_CELLS,
  );
  return { table, rows };
}

// Training rows run through a served version once, for its output-drift reference.
const REFERENCE_PREDICT_ROWS = 2000;

/**
 * Runs `rows` through a served version when it runs in this process (the embedded model
 * server), as the gateway would; undefined otherwise.
 */
async function predictHere(
  served: ServedModels,
  model: string,
  version: string,
  rows: readonly (readonly number[])[],
): Promise<readonly Tensor[] | undefined> {
  const routed = served.route(model, version, GATEWAY_PRINCIPAL.subject);
  const input = routed.kind === 'ok' ? routed.metadata.inputs[0] : undefined;
  if (routed.kind !== 'ok' || routed.upstream.local === undefined || input === undefined) {
    return undefined;
  }
  const width = rows[0]?.length ?? 0;
  const answer = await routed.upstream.local({
    inputs: [
      {
        name: input.name,
        datatype: input.datatype,
        shape: [rows.length, width],
        data: rows.flat(),
      },
    ],
  });
  return answer.outputs;
}

/** Grants per (principal, model, verb), cached like credentials; refusals are audited. */
class GrantCache {
  readonly #entries = new Map<string, { until: number; allowed: boolean }>();

  constructor(
    private readonly state: State,
    private readonly identity: Identity,
    private readonly ttlMs: number,
  ) {}

  async allows(principal: PrincipalRecord, model: string, verb: Verb): Promise<boolean> {
    const key = `${principal.subject}\0${model}\0${verb}`;
    const now = Date.now();
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.until > now) return hit.allowed;
    const allowed = await hasGrant(this.state.store, principal.subject, model, verb);
    if (this.#entries.size >= 10_000) this.#entries.clear();
    // A refusal is remembered (and audited) at most once a second, like a refused credential.
    this.#entries.set(key, {
      until: now + (allowed ? this.ttlMs : Math.max(this.ttlMs, 1000)),
      allowed,
    });
    if (!allowed) {
      await this.identity.access.record(
        principal,
        `gateway.${verb}`,
        { type: 'served-model', id: model },
        {
          allowed: false,
          reason: `${principal.subject} holds no ${verb} grant on ${model}`,
        },
      );
    }
    return allowed;
  }
}

// Sockets of processes that no longer run (a crash leaves its socket file behind).
async function removeStaleSockets(runDir: string): Promise<void> {
  for (const name of await readdir(runDir)) {
    const pid = /^models-(\d+)(?:-\d+)?\.sock$/.exec(name)?.[1];
    if (pid !== undefined && !isRunning(Number(pid)))
      await rm(path.join(runDir, name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function every(
  ms: number,
  task: () => Promise<void>,
  logger: Logger,
  failure: string,
): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch((error: unknown) => {
        logger.error(failure, { error: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        running = false;
      });
  }, ms);
  timer.unref();
  return timer;
}
