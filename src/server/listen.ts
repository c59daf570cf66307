import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { closeServer, RampartError, systemErrorCode } from '../core/index.js';

/** A server that is listening, and how to stop it. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and waits for open requests to finish (up to `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

/** TLS for a listener: PEM contents (not paths) of the server's chain and key. */
export interface TlsOptions {
  readonly cert: string;
  readonly key: string;
  /** PEM CA bundle; when set, every client must present a certificate it issued (mTLS). */
  readonly clientCa: string | null;
}

/**
 * Serves `app` on host:port (port 0 picks a free one), over HTTPS when `tls` is given.
 * @throws RAMPART_PORT_IN_USE when the address cannot be bound; RAMPART_CONFIG_INVALID when
 *   the TLS certificate, key or client CA cannot be loaded.
 */
export async function listen(
  app: Hono,
  host: string,
  port: number,
  tls?: TlsOptions,
): Promise<RunningServer> {
  const server =
    tls === undefined ? createAdaptorServer({ fetch: app.fetch }) : httpsServer(app, tls);
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
    url: `${tls === undefined ? 'http' : 'https'}://${shown}:${actual}`,
    port: actual,
    close: (graceMs) => closeServer(server as Server, graceMs),
  };
}

function httpsServer(app: Hono, tls: TlsOptions): HttpsServer {
  const verifyClients =
    tls.clientCa === null ? {} : { requestCert: true, rejectUnauthorized: true, ca: tls.clientCa };
  try {
    return createAdaptorServer({
      fetch: app.fetch,
      createServer: createHttpsServer,
      serverOptions: { cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2', ...verifyClients },
    }) as HttpsServer;
  } catch (error) {
    throw new RampartError(
      'RAMPART_CONFIG_INVALID',
      'server.tls: the certificate, key or client CA cannot be loaded',
      {
        cause: error,
        hint: 'Give PEM files: a certificate chain, its matching private key, and a CA bundle for clientCa.',
        details: { path: 'server.tls' },
      },
    );
  }
}
