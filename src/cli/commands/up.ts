import { access, constants } from 'node:fs/promises';
import { openAuditLog } from '../../audit/index.js';
import { createLogger, HashPool, RampartError, type Logger } from '../../core/index.js';
import { createJwtVerifier, openIdentity } from '../../identity/index.js';
import { openRegistry } from '../../registry/index.js';
import { createControlPlane, listen, readTlsFiles } from '../../server/index.js';
import { openState, type State } from '../../state/index.js';
import type { Command, CommandContext } from '../command.js';
import { packageVersion } from '../version.js';
import { appendServiceEvent } from './audit/service-event.js';

/** `rampart up`: run the control plane until SIGINT/SIGTERM. */
export const upCommand: Command = {
  name: 'up',
  summary: 'Run the control-plane server (what `npm start` runs)',
  usage: 'up [--host <addr>] [--port <n>]',
  description: [
    'Opens (and if needed creates) the state folder and serves the control-plane API on',
    'server.host:server.port (default 127.0.0.1:8470): /healthz, /readyz, /metrics, the',
    'authenticated /v1/status, the registry under /v1/models and /v1/promotions, and the',
    'audit log under /audit (HTTPS, and mTLS with server.tls.clientCa, when server.tls is set). Logs one JSON line per event',
    'to stderr; records server.start and server.stop in the audit log. Stops cleanly on',
    'SIGINT or SIGTERM, letting open requests finish.',
  ].join('\n'),
  options: {
    host: {
      type: 'string',
      value: '<addr>',
      description: 'listen address (overrides server.host)',
    },
    port: {
      type: 'string',
      value: '<n>',
      description: 'listen port, 0 for any free port (overrides server.port)',
    },
  },
  positionals: { min: 0, max: 0 },
  examples: ['rampart up', 'rampart up --port 9470', 'RAMPART_STORE_URL=postgres://... rampart up'],
  async run(context, input) {
    const state = await openState({
      home: context.location.home,
      configFile: context.location.configFile,
      env: context.env,
    });
    const logger = createLogger({
      level: state.config.log.level,
      format: state.config.log.format,
      sink: (line) => context.stderr.write(line),
    });
    if (state.created.length > 0) {
      logger.info('state folder prepared', { home: state.layout.home, created: state.created });
    }
    try {
      const host =
        typeof input.options.host === 'string' ? input.options.host : state.config.server.host;
      const port = parsePort(input.options.port, state.config.server.port);
      await serveUntilSignal(context, state, logger, host, port);
    } finally {
      await state.close();
    }
    return { exitCode: 0, json: { stopped: true }, text: '' };
  },
};

async function serveUntilSignal(
  context: CommandContext,
  state: State,
  logger: Logger,
  host: string,
  port: number,
): Promise<void> {
  const version = packageVersion();
  const audit = await openAuditLog(state.store, state.layout);
  const oidc = state.config.identity.oidc;
  const identity = await openIdentity(state, {
    jwt: oidc === null ? undefined : createJwtVerifier(oidc),
  });
  const pool = new HashPool(
    state.config.hashing.workers > 0 ? { size: state.config.hashing.workers } : {},
  );
  const registry = await openRegistry(state, identity, { pool, toolVersion: version });
  const app = createControlPlane({
    logger,
    version,
    readiness: [
      { name: 'store', check: () => state.store.ping() },
      { name: 'blobs', check: () => access(state.layout.blobs, constants.W_OK) },
    ],
    identity,
    status: async () => ({
      store: state.store.dialect,
      schemaVersion: await state.store.schemaVersion(),
      home: state.layout.home,
    }),
    audit,
    registry,
  });
  const tls = state.config.server.tls;
  const server = await listen(
    app,
    host,
    port,
    tls === null ? undefined : await readTlsFiles(tls, state.layout.home),
  ).catch(async (error: unknown) => {
    await pool.close();
    throw error;
  });
  const resource = { type: 'server', id: server.url };
  try {
    await appendServiceEvent(audit.log, 'server.start', resource);
    logger.info('control plane listening', { url: server.url, home: state.layout.home, version });
    const signal = await context.shutdownSignal();
    logger.info('shutting down', { signal });
  } finally {
    await server.close();
    await pool.close();
  }
  await appendServiceEvent(audit.log, 'server.stop', resource);
  logger.info('stopped');
}

function parsePort(flag: unknown, fallback: number): number {
  if (typeof flag !== 'string') return fallback;
  const port = Number(flag);
  if (!/^\d+$/.test(flag) || port > 65535) {
    throw new RampartError('RAMPART_USAGE', `--port ${flag} is not a port number (0-65535)`);
  }
  return port;
}
