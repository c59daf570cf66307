import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

/** Request counters and latency sums, exposed in Prometheus text format. */
export class HttpMetrics {
  readonly #requests = new Map<string, number>();
  readonly #seconds = new Map<string, number>();
  readonly #startedAt = Date.now();

  /** Middleware that counts every request by method, route pattern and status. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const start = process.hrtime.bigint();
      await next();
      const route = routePath(c);
      const key = `method="${c.req.method}",route="${escapeLabel(route)}",status="${c.res.status}"`;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
      this.#seconds.set(key, (this.#seconds.get(key) ?? 0) + seconds);
    };
  }

  /** The exposition text for /metrics. */
  render(): string {
    const lines = [
      '# HELP rampart_http_requests_total HTTP requests served, by method, route and status.',
      '# TYPE rampart_http_requests_total counter',
      ...[...this.#requests].map(([labels, n]) => `rampart_http_requests_total{${labels}} ${n}`),
      '# HELP rampart_http_request_seconds_total Time spent serving HTTP requests.',
      '# TYPE rampart_http_request_seconds_total counter',
      ...[...this.#seconds].map(
        ([labels, s]) => `rampart_http_request_seconds_total{${labels}} ${s}`,
      ),
      '# HELP rampart_uptime_seconds Seconds since the server started.',
      '# TYPE rampart_uptime_seconds gauge',
      `rampart_uptime_seconds ${(Date.now() - this.#startedAt) / 1000}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
