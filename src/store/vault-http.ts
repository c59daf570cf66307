import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { RampartError } from '../core/index.js';

/** Largest Vault answer read; Transit answers for one 32-byte key are well under 4 KiB. */
export const MAX_VAULT_ANSWER = 64 * 1024;
// Vault's error texts are short; longer ones are cut so a hostile server cannot flood messages.
const MAX_ERROR_TEXT = 300;

/** One call to the Vault HTTP API. */
export interface VaultCall {
  readonly method: 'GET' | 'POST';
  /** The path after `/v1/`, already escaped. */
  readonly path: string;
  readonly body?: unknown;
}

/** Where Vault is and how to talk to it (the token stays inside this object). */
export interface VaultEndpoint {
  readonly address: URL;
  readonly token: string;
  readonly namespace: string | null;
  readonly timeoutMs: number;
}

/** A Vault answer: HTTP status and the parsed JSON body (null for an empty body). */
export interface VaultAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Sends one request with `X-Vault-Token` (and `X-Vault-Namespace`), a deadline and a size limit.
 * @throws RAMPART_REMOTE_FAILED when Vault cannot be reached, times out, answers too much or
 * not JSON; the token never appears in the error.
 */
export function vaultRequest(endpoint: VaultEndpoint, call: VaultCall): Promise<VaultAnswer> {
  const url = new URL(`v1/${call.path}`, endpoint.address);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
  const headers: Record<string, string> = { 'X-Vault-Token': endpoint.token };
  if (endpoint.namespace !== null) headers['X-Vault-Namespace'] = endpoint.namespace;
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(payload.length);
  }
  const where = `${call.method} ${url.origin}${url.pathname}`;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: call.method, headers, timeout: endpoint.timeoutMs });
    const timer = setTimeout(() => {
      req.destroy(vaultFailed(where, `no answer within ${endpoint.timeoutMs} ms`));
    }, endpoint.timeoutMs);
    const fail = (error: unknown): void => {
      clearTimeout(timer);
      reject(
        error instanceof RampartError
          ? error
          : vaultFailed(where, `unreachable (${errorCode(error)})`),
      );
    };
    req.on('timeout', () =>
      req.destroy(vaultFailed(where, `no answer within ${endpoint.timeoutMs} ms`)),
    );
    req.on('error', fail);
    req.on('response', (res: IncomingMessage) => {
      readBody(res, where)
        .then((text) => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: parseBody(text, where) });
        })
        .catch(fail);
    });
    req.end(payload);
  });
}

/** The error for a failed Vault call; `reason` must never contain the token. */
export function vaultFailed(where: string, reason: string, status?: number): RampartError {
  return new RampartError('RAMPART_REMOTE_FAILED', `Vault ${where}: ${reason}`, {
    hint: 'Check encryption.vault.address, the Transit mount and key names, and the token policy.',
    details: { remote: 'vault', ...(status === undefined ? {} : { status }) },
  });
}

/** The `errors` list of a Vault error answer, joined and cut to a safe length. */
export function vaultErrorText(body: unknown): string {
  const errors =
    typeof body === 'object' && body !== null ? (body as { errors?: unknown }).errors : undefined;
  const text = Array.isArray(errors)
    ? errors.filter((e): e is string => typeof e === 'string').join('; ')
    : '';
  const shown = text === '' ? 'no error text' : text;
  return shown.length > MAX_ERROR_TEXT ? `${shown.slice(0, MAX_ERROR_TEXT)}…` : shown;
}

function readBody(res: IncomingMessage, where: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_VAULT_ANSWER) {
        res.destroy();
        reject(vaultFailed(where, `answer larger than ${MAX_VAULT_ANSWER} bytes`));
        return;
      }
      parts.push(chunk);
    });
    res.on('end', () => {
      resolve(Buffer.concat(parts).toString('utf8'));
    });
    res.on('error', reject);
  });
}

function parseBody(text: string, where: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw vaultFailed(where, 'answered with something that is not JSON');
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'connection failed';
}
