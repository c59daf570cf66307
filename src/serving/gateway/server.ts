/**
 * The gateway listener: a bare node:http(s) server (a framework and fetch-based forwarding
 * cost 4–5× the throughput here, serving.md §4) with its connection guards set, since
 * Node's defaults leave slow clients unbounded.
 */
import { once } from 'node:events';
import { createServer, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { closeServer, RampartError, systemErrorCode } from '../../core/index.js';
import type { GatewayContext } from './context.js';
import { UpstreamPools } from './forward.js';
import { createHandler } from './handler.js';
import { responseLimit } from './infer.js';
import { InFlight, memoryLimitBackend } from './limits.js';
import { GatewayMetrics } from './metrics.js';
import type { GatewayOptions, GatewayTls, RunningGateway } from './types.js';

const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Starts the gateway on host:port (port 0 picks a free one), over HTTPS when `options.tls` is
 * given.
 * @throws RAMPART_CONFIG_INVALID for a non-loopback host without TLS (bearer tokens would
 *   travel in the clear) or unusable TLS material; RAMPART_PORT_IN_USE when the address
 *   cannot be bound.
 */
export async function startGateway(
  options: GatewayOptions,
  host: string,
  port: number,
): Promise<RunningGateway> {
  if (options.tls === undefined && !isLoopback(host)) {
    throw new RampartError(
      'RAMPART_CONFIG_INVALID',
      `gateway.host ${host} is not loopback and TLS is off`,
      {
        hint: 'Set gateway.tls (cert and key) to expose the gateway, or bind it to 127.0.0.1.',
        details: { path: 'gateway.host' },
      },
    );
  }
  const config = options.config;
  const monitor = options.eventLoopDelayMs === undefined ? loopDelayMonitor() : null;
  const ctx: GatewayContext = {
    options,
    metrics: new GatewayMetrics(),
    pools: new UpstreamPools({
      timeoutMs: config.upstreamTimeoutMs,
      connections: config.maxInFlightPerUpstream,
      maxResponseBytes: responseLimit(config.bodyLimitBytes),
    }),
    limits: options.limits ?? memoryLimitBackend(),
    perKey: new InFlight(),
    perUpstream: new InFlight(),
    eventLoopDelayMs: options.eventLoopDelayMs ?? monitor?.read ?? (() => 0),
    inFlight: 0,
  };
  const server = listener(options, createHandler(ctx));
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    monitor?.stop();
    throw new RampartError(
      'RAMPART_PORT_IN_USE',
      `gateway cannot listen on ${host}:${port} (${systemErrorCode(error) ?? 'error'})`,
      {
        cause: error,
        hint: 'Stop the process using the port, or set gateway.port in rampart.yaml.',
        details: { host, port },
      },
    );
  }
  const address = server.address();
  const actual = typeof address === 'object' && address !== null ? address.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${shown}:${actual}`,
    port: actual,
    close: async (graceMs = 5000) => {
      monitor?.stop();
      await closeServer(server, graceMs);
      await ctx.pools.close();
    },
  };
}

function listener(
  options: GatewayOptions,
  handler: Parameters<typeof createServer>[1] & object,
): Server {
  const config = options.config;
  const guards: ServerOptions = {
    // Node refuses a headers timeout longer than the request timeout.
    headersTimeout: Math.min(config.headersTimeoutMs, config.requestTimeoutMs),
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    maxHeaderSize: MAX_HEADER_BYTES,
    // The timeouts above are only enforced on this tick; Node's default is 30 s.
    connectionsCheckingInterval: Math.max(
      50,
      Math.min(1000, Math.floor(config.headersTimeoutMs / 4)),
    ),
    requireHostHeader: true,
  };
  const server =
    options.tls === undefined
      ? createServer(guards, handler)
      : httpsServer(options.tls, guards, handler);
  server.maxConnections = config.maxConnections;
  server.maxHeadersCount = 64;
  return server;
}

function httpsServer(
  tls: GatewayTls,
  guards: ServerOptions,
  handler: Parameters<typeof createServer>[1] & object,
): Server {
  const verifyClients =
    tls.clientCa === null ? {} : { requestCert: true, rejectUnauthorized: true, ca: tls.clientCa };
  try {
    return createHttpsServer(
      { ...guards, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2', ...verifyClients },
      handler,
    );
  } catch (error) {
    throw new RampartError(
      'RAMPART_CONFIG_INVALID',
      'gateway.tls: the certificate, key or client CA cannot be loaded',
      {
        cause: error,
        details: { path: 'gateway.tls' },
      },
    );
  }
}

// p99 of the event-loop delay over the last full second, refreshed once a second.
function loopDelayMonitor(): { read: () => number; stop: () => void } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let p99Ms = 0;
  const timer = setInterval(() => {
    p99Ms = histogram.percentile(99) / 1e6;
    histogram.reset();
  }, 1000);
  timer.unref();
  return {
    read: () => p99Ms,
    stop: () => {
      clearInterval(timer);
      histogram.disable();
    },
  };
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}
