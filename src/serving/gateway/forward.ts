/**
 * Forwarding to model servers: one undici Pool per upstream key, connect/headers/body timeouts,
 * no retries (an inference is not known to be idempotent). Nothing from the client's request
 * is passed on but the validated body and the gateway's own request id.
 */
import { Pool } from 'undici';
import type { Upstream } from './types.js';

/** How an upstream call ended. */
export type ForwardOutcome =
  | { readonly kind: 'answered'; readonly status: number; readonly bytes: Buffer }
  | { readonly kind: 'down' | 'timeout' | 'too-large' };

/** Settings shared by every pool. */
export interface UpstreamSettings {
  readonly timeoutMs: number;
  readonly connections: number;
  readonly maxResponseBytes: number;
}

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The pools of all upstreams the gateway has forwarded to. */
export class UpstreamPools {
  readonly #settings: UpstreamSettings;
  readonly #pools = new Map<string, Pool>();

  constructor(settings: UpstreamSettings) {
    this.#settings = settings;
  }

  /** POSTs `body` (JSON) to the upstream's infer path and reads the answer within limits. */
  async infer(upstream: Upstream, body: string, requestId: string): Promise<ForwardOutcome> {
    const pool = this.#pool(upstream);
    const limit = this.#settings.maxResponseBytes;
    try {
      const answer = await pool.request({
        method: 'POST',
        path: upstream.path('infer'),
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limit) {
          answer.body.destroy();
          return { kind: 'too-large' };
        }
        chunks.push(chunk);
      }
      return { kind: 'answered', status: answer.statusCode, bytes: Buffer.concat(chunks, size) };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return { kind: 'too-large' };
      return { kind: typeof code === 'string' && TIMEOUTS.has(code) ? 'timeout' : 'down' };
    }
  }

  /** Closes every pool (open requests are aborted). */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.destroy()));
  }

  #pool(upstream: Upstream): Pool {
    let pool = this.#pools.get(upstream.key);
    if (pool === undefined) {
      const { timeoutMs, connections, maxResponseBytes } = this.#settings;
      pool = new Pool(upstream.origin, {
        connections,
        pipelining: 1,
        connectTimeout: timeoutMs,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        maxResponseSize: maxResponseBytes,
        ...(upstream.socketPath === null ? {} : { socketPath: upstream.socketPath }),
      });
      this.#pools.set(upstream.key, pool);
    }
    return pool;
  }
}
