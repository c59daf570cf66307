import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { RampartError } from '../core/index.js';
import { hashToken } from '../state/index.js';

/** Options for {@link bearerAuth}. */
export interface BearerAuthOptions {
  /** Returns the SHA-256 (hex) of the token that is accepted, or null when none is set. */
  readonly tokenHash: () => Promise<string | null>;
}

/**
 * Requires `Authorization: Bearer <token>` whose SHA-256 matches the stored hash. Tokens are
 * stored hashed and compared in constant time.
 * @throws RAMPART_UNAUTHENTICATED (as the response) when the header is missing or wrong.
 */
export function bearerAuth(options: BearerAuthOptions): MiddlewareHandler {
  const settings = Object.freeze({ ...options });
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header);
    const expected = await settings.tokenHash();
    if (match?.[1] === undefined || expected === null || !hashMatches(match[1], expected)) {
      throw new RampartError('RAMPART_UNAUTHENTICATED', 'missing or invalid bearer token');
    }
    await next();
  };
}

function hashMatches(token: string, expectedHex: string): boolean {
  const actual = Buffer.from(hashToken(token), 'hex');
  const expected = Buffer.from(expectedHex, 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}
