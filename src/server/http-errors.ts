import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { RampartError } from '../core/index.js';
import { ERRORS, wrapError, type ErrorKind, type Logger } from '../core/index.js';

/** The HTTP status for an error kind; the only place kinds meet statuses. */
export function statusFor(kind: ErrorKind): ContentfulStatusCode {
  switch (kind) {
    case 'usage':
    case 'input':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'refused':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'integrity':
      return 422;
    case 'unavailable':
      return 503;
    case 'internal':
      return 500;
  }
}

/**
 * The one error handler at the edge: coded errors become `{error, code, hint}` with their
 * status; anything else is logged and answered as an opaque 500 (no internals leak).
 */
export function errorHandler(logger: Logger) {
  return (error: Error, c: Context): Response => {
    const coded = wrapError(error, 'RAMPART_INTERNAL', 'internal server error');
    const status = statusFor(coded.kind);
    if (status >= 500) {
      logger.error('request failed', {
        code: coded.code,
        path: c.req.path,
        cause: coded.cause instanceof Error ? coded.cause.message : coded.message,
      });
    }
    if (coded.kind === 'unauthenticated') c.header('WWW-Authenticate', 'Bearer realm="rampart"');
    // Internal and unavailable errors may carry file paths and SQL: clients get the catalogue's
    // title, the log gets the details.
    const body = errorBody(coded);
    return c.json(status >= 500 ? { ...body, error: ERRORS[coded.code].title } : body, status);
  };
}

/** The OIP-compatible error body: `error` is the message, plus our stable code and hint. */
export function errorBody(error: RampartError): { error: string; code: string; hint: string } {
  return { error: error.message, code: error.code, hint: error.hint };
}
