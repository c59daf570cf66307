/**
 * The one HTTP client of OIDC verification: GETs a JSON document from an identity provider
 * with a deadline and a size limit. Any failure is RAMPART_REMOTE_FAILED, so a provider that
 * is down, slow or answers garbage makes verification fail closed.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { RampartError } from '../core/index.js';

/** Limits on one request to an identity provider. */
export interface FetchLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Aborts the request early (jose passes its own deadline). */
  readonly signal?: AbortSignal;
}

/**
 * The JSON document at `url` (HTTP 200 only; redirects are not followed).
 * @throws RAMPART_REMOTE_FAILED when unreachable, slow, not 200, too large or not JSON.
 */
export function fetchJson(url: URL, limits: FetchLimits): Promise<unknown> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(remoteFailed(url, 'is not an http(s) URL'));
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const signal =
    limits.signal === undefined ? deadline : AbortSignal.any([deadline, limits.signal]);
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: 'GET', headers: { accept: 'application/json' }, signal },
      (res) => {
        readBody(res, url, limits.maxBytes)
          .then((text) => interpret(url, res.statusCode ?? 0, text))
          .then(resolve, reject);
      },
    );
    req.on('error', (error) => {
      const reason = error.name === 'AbortError' ? 'timed out' : 'could not be reached';
      reject(remoteFailed(url, reason, error));
    });
    req.end();
  });
}

function readBody(res: IncomingMessage, url: URL, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        reject(remoteFailed(url, `answered with more than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    res.on('error', (error) => {
      reject(remoteFailed(url, 'broke off its answer', error));
    });
  });
}

function interpret(url: URL, status: number, text: string): unknown {
  if (status !== 200) throw remoteFailed(url, `answered HTTP ${status}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw remoteFailed(url, 'answered with something that is not JSON', error);
  }
}

/** Only scheme, host and path: a URL may carry credentials that must not reach messages. */
export function where(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function remoteFailed(url: URL, reason: string, cause?: unknown): RampartError {
  return new RampartError('RAMPART_REMOTE_FAILED', `${where(url)} ${reason}`, {
    hint: 'Check identity.oidc (issuer, jwksUrl) and that the identity provider is reachable; tokens are refused until it is.',
    details: { url: where(url) },
    ...(cause === undefined ? {} : { cause }),
  });
}
