import * as z from 'zod';
import type { WitnessSource } from '../../../audit/index.js';
import {
  displayUrl,
  httpBaseUrl,
  httpRequest,
  jsonBody,
  RampartError,
  remoteFailed,
  type RemoteDescription,
} from '../../../core/index.js';

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
        throw new RampartError('RAMPART_AUDIT_NOT_FOUND', `${displayUrl(url)}: the log is empty`);
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
  const url = httpBaseUrl(text);
  if (url === undefined) {
    throw new RampartError('RAMPART_USAGE', `--url ${JSON.stringify(text)} is not an http(s) URL`);
  }
  return url;
}

function shaped<T>(url: URL, schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw remoteFailed(describe(url), 'answered with an unexpected JSON document');
  }
  return parsed.data;
}

/**
 * GETs a JSON document with a deadline and a size limit.
 * @throws RAMPART_REMOTE_FAILED (unreachable, timeout, non-2xx, not JSON);
 * RAMPART_LIMIT_EXCEEDED for an over-long answer.
 */
async function getJson(url: URL, limits: RemoteLimits): Promise<unknown> {
  const remote = describe(url);
  const answer = await httpRequest(url, {
    headers: { accept: 'application/json' },
    ...limits,
    remote: { ...remote, tooLarge: 'RAMPART_LIMIT_EXCEEDED' },
  });
  const { status } = answer;
  const body = jsonBody(answer);
  if (status < 200 || status > 299) {
    const code =
      typeof body === 'object' && body !== null && 'code' in body ? String(body.code) : undefined;
    const details = {
      ...remote.details,
      status,
      ...(code === undefined ? {} : { remoteCode: code.slice(0, 80) }),
    };
    throw remoteFailed(
      { ...remote, details },
      `answered HTTP ${status}${code === undefined ? '' : ` ${code}`}`,
    );
  }
  if (body === undefined) throw remoteFailed(remote, 'answered with something that is not JSON');
  return body;
}

// Messages name the URL without credentials or query (displayUrl).
function describe(url: URL): RemoteDescription {
  return { name: displayUrl(url), details: { url: displayUrl(url) } };
}
