import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { z } from 'zod';
import type { WitnessSource } from '../../../audit/index.js';
import { RampartError } from '../../../core/index.js';

/** Limits on one request to a remote control plane. */
export interface RemoteLimits {
  /** Whole-request deadline. */
  readonly timeoutMs: number;
  /** Largest response body accepted. */
  readonly maxBytes: number;
}

const DEFAULT_LIMITS: RemoteLimits = { timeoutMs: 10_000, maxBytes: 256 * 1024 };

const checkpointAnswer = z.object({
  checkpoint: z.string().nullable(),
  verifierKey: z.string().min(1),
});
const proofAnswer = z.object({
  size: z.number().int().nonnegative(),
  root: z.string().min(1),
  proof: z.array(z.string()).max(128),
});

/**
 * A witness source reading the audit log of a remote control plane (`GET /audit/checkpoint`
 * and `GET /audit/proof/consistency`).
 * @throws RAMPART_USAGE for a URL that is not http(s).
 */
export function remoteWitnessSource(
  baseUrl: string,
  limits: RemoteLimits = DEFAULT_LIMITS,
): WitnessSource {
  const base = parseBase(baseUrl);
  return {
    async latest() {
      const url = new URL('audit/checkpoint', base);
      const answer = shaped(url, checkpointAnswer, await getJson(url, limits));
      if (answer.checkpoint === null) {
        throw new RampartError('RAMPART_AUDIT_NOT_FOUND', `${where(url)}: the log is empty`);
      }
      return { checkpoint: answer.checkpoint, verifierKey: answer.verifierKey };
    },
    async consistency(from, to) {
      const url = new URL(`audit/proof/consistency?from=${from}&to=${to}`, base);
      return shaped(url, proofAnswer, await getJson(url, limits));
    },
  };
}

function parseBase(text: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text.endsWith('/') ? text : `${text}/`);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new RampartError('RAMPART_USAGE', `--url ${JSON.stringify(text)} is not an http(s) URL`);
  }
  return url;
}

function shaped<T>(url: URL, schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw remoteFailed(url, 'answered with an unexpected JSON document');
  return parsed.data;
}

/**
 * GETs a JSON document with a deadline and a size limit.
 * @throws RAMPART_REMOTE_FAILED (unreachable, timeout, non-2xx, not JSON);
 * RAMPART_LIMIT_EXCEEDED for an over-long answer.
 */
function getJson(url: URL, limits: RemoteLimits): Promise<unknown> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(limits.timeoutMs),
      },
      (res) => {
        readBody(res, url, limits.maxBytes).then((text) => {
          resolve(interpret(url, res.statusCode ?? 0, text));
        }, reject);
      },
    );
    req.on('error', (error) => {
      const reason = error.name === 'AbortError' ? 'timed out' : 'could not be reached';
      reject(remoteFailed(url, reason, {}, error));
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
        reject(
          new RampartError(
            'RAMPART_LIMIT_EXCEEDED',
            `${where(url)}: the answer is over the limit of ${maxBytes} bytes`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    res.on('error', (error) => {
      reject(remoteFailed(url, 'broke off its answer', {}, error));
    });
  });
}

function interpret(url: URL, status: number, text: string): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (status < 200 || status > 299) {
    const code =
      typeof body === 'object' && body !== null && 'code' in body ? String(body.code) : undefined;
    throw remoteFailed(url, `answered HTTP ${status}${code === undefined ? '' : ` ${code}`}`, {
      status,
      ...(code === undefined ? {} : { remoteCode: code.slice(0, 80) }),
    });
  }
  if (body === undefined) throw remoteFailed(url, 'answered with something that is not JSON');
  return body;
}

// Only scheme, host and path: a URL may carry credentials that must not reach messages.
function where(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function remoteFailed(
  url: URL,
  reason: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): RampartError {
  return new RampartError('RAMPART_REMOTE_FAILED', `${where(url)} ${reason}`, {
    details: { url: where(url), ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}
