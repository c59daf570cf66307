import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../core/index.js';

// Probes hit these every few seconds; log them at debug so they do not drown real traffic.
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** Logs one structured line per request: method, path, status and duration. */
export function requestLog(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const start = process.hrtime.bigint();
    await next();
    const fields = {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(Number(process.hrtime.bigint() - start) / 1e4) / 100,
    };
    if (QUIET_PATHS.has(c.req.path) && c.res.status < 500) logger.debug('request', fields);
    else logger.info('request', fields);
  };
}
