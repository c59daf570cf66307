import { createHash } from 'node:crypto';
import { RampartError } from '../core/index.js';
import type { Authenticator, Credentials, PrincipalRecord } from '../identity/index.js';

/** Most credentials remembered at once; the oldest are dropped first. */
const MAX_ENTRIES = 10_000;
/** How long a refused credential is answered from memory (not re-checked, not re-audited). */
const REFUSAL_MS = 1_000;

type Entry =
  | { readonly until: number; readonly principal: PrincipalRecord }
  | { readonly until: number; readonly refusal: RampartError };

/**
 * The gateway's authenticator: the identity module's, with accepted credentials remembered for
 * `ttlMs` (a revoked token or disabled principal stops working within that time) and refused
 * ones for a second, so a flood of one forged token costs neither the store nor the audit log
 * more than once a second. Keys are SHA-256 of the credential; tokens are never kept.
 */
export class CachedAuthenticator {
  readonly #inner: Pick<Authenticator, 'authenticate'>;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(
    inner: Pick<Authenticator, 'authenticate'>,
    ttlMs: number,
    now: () => number = Date.now,
  ) {
    this.#inner = inner;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** @throws RAMPART_UNAUTHENTICATED (as the inner authenticator decided) */
  async authenticate(credentials: Credentials): Promise<PrincipalRecord> {
    const key = cacheKey(credentials);
    const now = this.#now();
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.until > now) {
      if ('refusal' in hit) throw hit.refusal;
      return hit.principal;
    }
    try {
      const { principal } = await this.#inner.authenticate(credentials);
      if (this.#ttlMs > 0) this.#remember(key, { until: now + this.#ttlMs, principal });
      return principal;
    } catch (error) {
      if (error instanceof RampartError && error.code === 'RAMPART_UNAUTHENTICATED') {
        this.#remember(key, { until: now + REFUSAL_MS, refusal: error });
      }
      throw error;
    }
  }

  #remember(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}

function cacheKey(credentials: Credentials): string {
  return createHash('sha256')
    .update(credentials.bearer ?? '')
    .update('\0')
    .update(credentials.certificatePrincipal ?? '')
    .digest('base64url');
}
