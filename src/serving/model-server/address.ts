/**
 * Where the embedded model server may listen: loopback or a Unix socket, never anything a
 * remote host can reach, because it trusts the gateway in front of it to authenticate.
 */
import { RampartError } from '../../core/index.js';

/** A resolved listening address. */
export type ListenAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

// Literal addresses only: a name such as `localhost` resolves through /etc/hosts and DNS,
// which can point it anywhere.
const LOOPBACK = new Set(['127.0.0.1', '::1']);

function refused(message: string, details: Record<string, unknown>): RampartError {
  return new RampartError('RAMPART_MODEL_SERVER_ADDRESS_REFUSED', message, { details });
}

/**
 * Resolves the listening options; defaults to 127.0.0.1 on an ephemeral port.
 * @throws RAMPART_MODEL_SERVER_ADDRESS_REFUSED for a non-loopback host, a bad port, or a
 *   socket path given together with a host or port.
 */
export function listenAddress(options: {
  readonly host?: string;
  readonly port?: number;
  readonly socketPath?: string;
}): ListenAddress {
  const { host, port, socketPath } = options;
  if (socketPath !== undefined) {
    if (host !== undefined || port !== undefined) {
      throw refused('give either a Unix socket path or a host and port, not both', {
        socketPath,
      });
    }
    if (socketPath.length === 0 || socketPath.includes('\0')) {
      throw refused('the Unix socket path is empty or contains a NUL byte', {});
    }
    return { kind: 'unix', path: socketPath };
  }
  const chosen = host ?? '127.0.0.1';
  if (!LOOPBACK.has(chosen)) {
    throw refused(`the model server listens only on 127.0.0.1 or ::1, not ${chosen}`, {
      host: chosen,
    });
  }
  const chosenPort = port ?? 0;
  if (!Number.isInteger(chosenPort) || chosenPort < 0 || chosenPort > 65535) {
    throw refused(`port ${chosenPort} is not a TCP port`, { port: chosenPort });
  }
  return { kind: 'tcp', host: chosen, port: chosenPort };
}
