import { displayUrl, httpRequest, jsonBody, RampartError, remoteFailed } from '../core/index.js';

/** Largest Vault answer read; Transit answers for one 32-byte key are well under 4 KiB. */
export const MAX_VAULT_ANSWER = 64 * 1024;
// Vault's error texts are short; longer ones are cut so a hostile server cannot flood messages.
const MAX_ERROR_TEXT = 300;
const HINT =
  'Check encryption.vault.address, the Transit mount and key names, and the token policy.';
const DETAILS = { remote: 'vault' } as const;

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
export async function vaultRequest(endpoint: VaultEndpoint, call: VaultCall): Promise<VaultAnswer> {
  const url = new URL(`v1/${call.path}`, endpoint.address);
  const headers: Record<string, string> = { 'X-Vault-Token': endpoint.token };
  if (endpoint.namespace !== null) headers['X-Vault-Namespace'] = endpoint.namespace;
  if (call.body !== undefined) headers['Content-Type'] = 'application/json';
  const remote = { name: `Vault ${call.method} ${displayUrl(url)}`, hint: HINT, details: DETAILS };
  const answer = await httpRequest(url, {
    method: call.method,
    headers,
    ...(call.body === undefined ? {} : { body: Buffer.from(JSON.stringify(call.body)) }),
    timeoutMs: endpoint.timeoutMs,
    maxBytes: MAX_VAULT_ANSWER,
    remote,
  });
  if (answer.body.toString('utf8').trim() === '') return { status: answer.status, body: null };
  const body = jsonBody(answer);
  if (body === undefined) throw remoteFailed(remote, 'answered with something that is not JSON');
  return { status: answer.status, body };
}

/** The error for a failed Vault call; `reason` must never contain the token. */
export function vaultFailed(where: string, reason: string, status?: number): RampartError {
  return new RampartError('RAMPART_REMOTE_FAILED', `Vault ${where}: ${reason}`, {
    hint: HINT,
    details: { ...DETAILS, ...(status === undefined ? {} : { status }) },
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
