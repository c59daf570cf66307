/**
 * The one bounded HTTP(S) client: a request with a deadline and a cap on the answer, every
 * failure a coded error naming the remote as the caller describes it. Request headers (which
 * may carry tokens) never reach an error; callers name URLs through {@link displayUrl}.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { RampartError, systemErrorCode } from './errors.js';

/** How errors about one remote read; must hold no credentials. */
export interface RemoteDescription {
  /** Starts every message, e.g. `https://idp.example/jwks` or `Vault GET https://vault/v1/…`. */
  readonly name: string;
  readonly hint?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /** The code for an answer over `maxBytes`; RAMPART_REMOTE_FAILED unless given. */
  readonly tooLarge?: 'RAMPART_REMOTE_FAILED' | 'RAMPART_LIMIT_EXCEEDED';
}

/** One request and its limits. */
export interface HttpRequestOptions {
  /** GET unless given. */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  /** Deadline for the whole exchange, answer included. */
  readonly timeoutMs: number;
  /** Largest answer body read. */
  readonly maxBytes: number;
  /** Aborts early; reported like the deadline. */
  readonly signal?: AbortSignal;
  readonly remote: RemoteDescription;
}

/** An answer of any status (redirects are not followed). */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Sends one request to an http(s) URL and reads the whole answer.
 * @throws RAMPART_REMOTE_FAILED when the URL is not http(s), or the remote cannot be reached,
 * misses the deadline or breaks off; `remote.tooLarge` (default RAMPART_REMOTE_FAILED) for an
 * answer over `maxBytes`.
 */
export async function httpRequest(url: URL, options: HttpRequestOptions): Promise<HttpAnswer> {
  const { remote, timeoutMs, maxBytes } = options;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw remoteFailed(remote, 'is not an http(s) URL');
  }
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal =
    options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]);
  const headers = { ...options.headers };
  if (options.body !== undefined) headers['Content-Length'] = String(options.body.length);
  // Loaded on first use: node:https (with TLS) costs ~10 ms of every CLI start otherwise.
  const { request: send } =
    url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    // Whatever happens first settles the promise; later events are no-ops.
    const broken = (reason: string) => (error?: unknown) => {
      reject(
        signal.aborted
          ? remoteFailed(remote, `gave no answer within ${timeoutMs} ms`, error)
          : remoteFailed(remote, reason, error),
      );
    };
    const req = send(url, { method: options.method ?? 'GET', headers, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          res.destroy();
          reject(tooLarge(remote, maxBytes));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', broken('broke off its answer'));
      res.on('close', broken('broke off its answer'));
    });
    req.on('error', (error) => {
      const code = systemErrorCode(error);
      broken(code === undefined ? 'could not be reached' : `could not be reached (${code})`)(error);
    });
    req.end(options.body);
  });
}

/** The body parsed as JSON, or `undefined` when it is not JSON. */
export function jsonBody(answer: HttpAnswer): unknown {
  try {
    return JSON.parse(answer.body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** RAMPART_REMOTE_FAILED reading `${remote.name} ${reason}`, with the remote's hint and details. */
export function remoteFailed(
  remote: RemoteDescription,
  reason: string,
  cause?: unknown,
): RampartError {
  return new RampartError('RAMPART_REMOTE_FAILED', `${remote.name} ${reason}`, {
    ...(remote.hint === undefined ? {} : { hint: remote.hint }),
    ...(remote.details === undefined ? {} : { details: remote.details }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Scheme, host and path only: a URL may carry credentials or query secrets. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** `text` as a base URL that relative paths extend (ending in `/`), or undefined if not http(s). */
export function httpBaseUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text.endsWith('/') ? text : `${text}/`);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
}

function tooLarge(remote: RemoteDescription, maxBytes: number): RampartError {
  const reason = `answered with more than ${maxBytes} bytes`;
  if (remote.tooLarge !== 'RAMPART_LIMIT_EXCEEDED') return remoteFailed(remote, reason);
  return new RampartError('RAMPART_LIMIT_EXCEEDED', `${remote.name} ${reason}`, {
    ...(remote.details === undefined ? {} : { details: remote.details }),
  });
}
