import { once } from 'node:events';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { RampartError, systemErrorCode } from '../core/index.js';

/** A server that is listening, and how to stop it. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and waits for open requests to finish (up to `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

/**
 * Serves `app` on host:port (port 0 picks a free one).
 * @throws RAMPART_PORT_IN_USE when the address cannot be bound.
 */
export async function listen(app: Hono, host: string, port: number): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const sys = systemErrorCode(error) ?? 'error';
    throw new RampartError('RAMPART_PORT_IN_USE', `cannot listen on ${host}:${port} (${sys})`, {
      cause: error,
      details: { host, port },
    });
  }
  const address = server.address();
  const actual = typeof address === 'object' && address !== null ? address.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${actual}`,
    port: actual,
    close: (graceMs) => close(server, graceMs),
  };
}

async function close(server: Server, graceMs = 5000): Promise<void> {
  const closed = new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    server.closeAllConnections();
  }, graceMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
}
