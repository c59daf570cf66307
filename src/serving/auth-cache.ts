import { hash } from 'node:crypto';
import { isRampartError } from '../core/index.js';
import type { Authenticator, Credentials, PrincipalRecord } from '../identity/index.js';

/** Most credentials remembered at once; the oldest are dropped first. */
const MAX_ENTRIES = 10_000;
/** How long a refused credential is answered from memory (not re-checked, not re-audited). */
const REFUSAL_MS = 1_000;

interface Entry {
  readonly until: number;
  /** null: the credential was refused. */
  readonly principal: PrincipalRecord | null;
}

/**
 * The gateway's authenticator: the identity module's, with accepted credentials remembered for
 * `ttlMs` (a revoked token or disabled principal stops working within that time) and refused
 * ones for a second, so a flood of one forged token costs neither the store nor the audit log
 * more than once a second. Keys are SHA-256 of the credential; tokens are never kept.
 *
 * A refusal is a value (null), not an exception: the gateway answers floods of bad keys, and a
 * throw per request costs more than the rest of the check. A remembered answer is synchronous.
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

  /**
   * The credential's principal, or null when it is refused (RAMPART_UNAUTHENTICATED).
   * @throws any other error of the inner authenticator (e.g. the store is down)
   */
  check(credentials: Credentials): PrincipalRecord | null | Promise<PrincipalRecord | null> {
    const key = cacheKey(credentials);
    const now = this.#now();
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.until > now) return hit.principal;
    return this.#ask(credentials, key, now);
  }

  async #ask(credentials: Credentials, key: string, now: number): Promise<PrincipalRecord | null> {
    try {
      const { principal } = await this.#inner.authenticate(credentials);
      if (this.#ttlMs > 0) this.#remember(key, { until: now + this.#ttlMs, principal });
      return principal;
    } catch (error) {
      if (!isRampartError(error, 'RAMPART_UNAUTHENTICATED')) throw error;
      this.#remember(key, { until: now + REFUSAL_MS, principal: null });
      return null;
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
  return hash(
    'sha256',
    `${credentials.bearer ?? ''}\0${credentials.certificatePrincipal ?? ''}`,
    'base64url',
  );
}
