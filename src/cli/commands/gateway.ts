import { createLineBuffer, createLogger } from '../../core/index.js';
import { openState } from '../../state/index.js';
import type { Command } from '../command.js';
import { stringOption } from '../options.js';
import { openServices, startGatewayStack } from './serve/services.js';
import { parsePort } from './up.js';

/** `rampart gateway`: run the inference gateway alone (what `rampart up` also starts). */
export const gatewayCommand: Command = {
  name: 'gateway',
  summary: 'Run the inference gateway (OIP v2) and its embedded ONNX model server',
  usage: 'gateway [--host <addr>] [--port <n>]',
  description: [
    'Serves the approved versions of gateway.models (rampart.yaml) on gateway.host:gateway.port',
    '(default 127.0.0.1:8471): /v2/health/live|ready, /v2/models/{name}[/versions/{v}], .../infer,',
    '/metrics. Callers authenticate with an API token, an OIDC JWT or a client certificate and',
    'need a grant (`rampart grant`). A version is served only if the registry approved it for',
    'the served alias, it is not quarantined and its blobs and signature verify at load;',
    'otherwise the previous version keeps serving. Canary deployments (`rampart deploy`) are',
    'followed automatically. Stops cleanly on SIGINT or SIGTERM. See docs/gateway.md.',
  ].join('\n'),
  options: {
    host: {
      type: 'string',
      value: '<addr>',
      description: 'listen address (overrides gateway.host)',
    },
    port: {
      type: 'string',
      value: '<n>',
      description: 'listen port, 0 for any free port (overrides gateway.port)',
    },
  },
  positionals: { min: 0, max: 0 },
  examples: ['rampart gateway', 'rampart gateway --port 9471 --config prod.yaml'],
  async run(context, input) {
    const state = await openState({
      home: context.location.home,
      configFile: context.location.configFile,
      env: context.env,
      create: false,
    });
    // A line per request: written in batches, not a system call each (core/line-buffer).
    const lines = createLineBuffer((text) => context.stderr.write(text));
    const logger = createLogger({
      level: state.config.log.level,
      format: state.config.log.format,
      sink: lines.write,
    });
    try {
      const services = await openServices(state);
      try {
        const gateway = await startGatewayStack(state, services, logger, {
          host: stringOption(input, 'host') ?? state.config.gateway.host,
          port: parsePort('port', input.options.port, state.config.gateway.port),
        });
        try {
          logger.info('gateway listening', { url: gateway.url, models: gateway.served.status() });
          logger.info('shutting down', { signal: await context.shutdownSignal() });
        } finally {
          await gateway.close();
        }
      } finally {
        await services.close();
      }
      logger.info('stopped');
    } finally {
      await state.close();
      lines.close();
    }
    return { exitCode: 0, json: { stopped: true }, text: '' };
  },
};
