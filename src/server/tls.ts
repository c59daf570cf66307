/**
 * mTLS on the control plane: the principal named by the client certificate of the connection a
 * request came in on. The TLS server has already checked the chain against server.tls.clientCa
 * (listen.ts); this reads the result, and only for a connection whose certificate verified.
 */
import { IncomingMessage } from 'node:http';
import path from 'node:path';
import { TLSSocket } from 'node:tls';
import type { Context } from 'hono';
import type { Config } from '../config/index.js';
import { readSmallFile } from '../core/index.js';
import { certificatePrincipal } from '../identity/index.js';
import type { TlsOptions } from './listen.js';

const MAX_PEM_BYTES = 1024 * 1024;

/** The principal the verified client certificate of this request's connection names, or null. */
export function peerPrincipal(c: Context): string | null {
  const socket = incomingSocket(c.env);
  if (!(socket instanceof TLSSocket) || !socket.authorized) return null;
  return certificatePrincipal(socket.getPeerCertificate());
}

// @hono/node-server passes the Node request as `env.incoming`; other adapters do not.
function incomingSocket(env: unknown): unknown {
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return null;
  return env.incoming instanceof IncomingMessage ? env.incoming.socket : null;
}

/** `server.tls` as rampart.yaml gives it: paths to PEM files. */
export type TlsFiles = NonNullable<Config['server']['tls']>;

/**
 * Reads the PEM files `server.tls` names (relative paths against the state folder `home`) into
 * the options {@link listen} takes.
 * @throws RAMPART_FILE_NOT_FOUND and other file errors for a file that cannot be read.
 */
export async function readTlsFiles(files: TlsFiles, home: string): Promise<TlsOptions> {
  const read = async (file: string): Promise<string> =>
    (await readSmallFile(path.resolve(home, file), MAX_PEM_BYTES)).toString('utf8');
  return {
    cert: await read(files.cert),
    key: await read(files.key),
    clientCa: files.clientCa === null ? null : await read(files.clientCa),
  };
}
