import { access, constants } from 'node:fs/promises';
import { openAuditLog } from '../../audit/index.js';
import {
  createLineBuffer,
  createLogger,
  type Logger,
  packageVersion,
  RampartError,
} from '../../core/index.js';
import type { DemoSeed, RunningServing } from '../../serving/index.js';
import { createControlPlane, listen, readTlsFiles } from '../../server/index.js';
import { openState, type State } from '../../state/index.js';
import type { Command, CommandContext, CommandInput } from '../command.js';
import { stringOption } from '../options.js';
import { openServices, startGatewayStack, withDemo } from './serve/services.js';
import { appendServiceEvent } from './audit/service-event.js';

/** `rampart up`: run the control plane until SIGINT/SIGTERM. */
export const upCommand: Command = {
  name: 'up',
  summary: 'Run the control-plane server (what `npm start` runs)',
  usage: 'up [--host <addr>] [--port <n>] [--gateway-port <n>] [--demo]',
  description: [
    'Opens (and if needed creates) the state folder and serves the control-plane API on',
    'server.host:server.port (default 127.0.0.1:8470): /healthz, /readyz, /metrics, the',
    'authenticated /v1/status, the registry under /v1/models and /v1/promotions, and the',
    'audit log under /audit (HTTPS, and mTLS with server.tls.clientCa, when server.tls is set),',
    'and the inference gateway (OIP v2) on gateway.host:gateway.port (default 127.0.0.1:8471)',
    'serving the approved versions of gateway.models. With --demo, seeds the demo pipeline: a',
    'small iris classifier registered, approved and served as `demo`, and a demo API key printed',
    'and written to <home>/demo-api-key. Logs one JSON line per event',
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
    'gateway-port': {
      type: 'string',
      value: '<n>',
      description: 'gateway port, 0 for any free port (overrides gateway.port)',
    },
    demo: {
      type: 'boolean',
      description: 'seed the demo pipeline and serve the demo model (what `npm start` does)',
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
    // A line per request: written in batches, not a system call each (core/line-buffer).
    const lines = createLineBuffer((text) => context.stderr.write(text));
    const logger = createLogger({
      level: state.config.log.level,
      format: state.config.log.format,
      sink: lines.write,
    });
    if (state.created.length > 0) {
      logger.info('state folder prepared', { home: state.layout.home, created: state.created });
    }
    try {
      await serveUntilSignal(context, state, logger, input);
    } finally {
      await state.close();
      lines.close();
    }
    return { exitCode: 0, json: { stopped: true }, text: '' };
  },
};

async function serveUntilSignal(
  context: CommandContext,
  opened: State,
  logger: Logger,
  input: CommandInput,
): Promise<void> {
  const version = packageVersion();
  const audit = await openAuditLog(opened.store, opened.layout);
  const services = await openServices(opened);
  try {
    let state = opened;
    let seed: DemoSeed | undefined;
    if (input.options.demo === true) {
      ({ state, seed } = await withDemo(opened, services, context.env.PATH));
    }
    const app = createControlPlane({
      logger,
      version,
      readiness: [
        { name: 'store', check: () => state.store.ping() },
        { name: 'blobs', check: () => access(state.layout.blobs, constants.W_OK) },
      ],
      identity: services.identity,
      status: async () => ({
        store: state.store.dialect,
        schemaVersion: await state.store.schemaVersion(),
        home: state.layout.home,
      }),
      audit,
      registry: services.registry,
    });
    const tls = state.config.server.tls;
    const server = await listen(
      app,
      stringOption(input, 'host') ?? state.config.server.host,
      parsePort('port', input.options.port, state.config.server.port),
      tls === null ? undefined : await readTlsFiles(tls, state.layout.home),
    );
    const resource = { type: 'server', id: server.url };
    let gateway: RunningServing | undefined;
    try {
      gateway = await startGatewayStack(state, services, logger, {
        host: state.config.gateway.host,
        port: parsePort('gateway-port', input.options['gateway-port'], state.config.gateway.port),
      });
      await appendServiceEvent(audit.log, 'server.start', resource);
      logger.info('control plane listening', { url: server.url, home: state.layout.home, version });
      logger.info('gateway listening', { url: gateway.url, models: gateway.served.status() });
      if (seed !== undefined) {
        context.stdout.write(
          `Demo API key (also in ${seed.keyFile}): ${seed.apiKey}\n` +
            `Try: curl -H "Authorization: Bearer $(cat ${seed.keyFile})" ${gateway.url}/v2/models/demo\n`,
        );
      }
      const signal = await context.shutdownSignal();
      logger.info('shutting down', { signal });
    } finally {
      await gateway?.close();
      await server.close();
    }
    await appendServiceEvent(audit.log, 'server.stop', resource);
    logger.info('stopped');
  } finally {
    await services.close();
  }
}

/** A port flag (0 picks a free port), or the configured port. @throws RAMPART_USAGE */
export function parsePort(name: string, flag: unknown, fallback: number): number {
  if (typeof flag !== 'string') return fallback;
  const port = Number(flag);
  if (!/^\d+$/.test(flag) || port > 65535) {
    throw new RampartError('RAMPART_USAGE', `--${name} ${flag} is not a port number (0-65535)`);
  }
  return port;
}
