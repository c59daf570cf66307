import { RampartError } from '../core/index.js';
import type { Executor } from '../store/index.js';
import type { AccessControl } from './access.js';
import { findPrincipal, type PrincipalRecord } from './principals.js';
import { resolveToken } from './tokens.js';

/** Verifies an OIDC access token (see oidc.ts); only its subject is used here. */
export interface BearerJwtVerifier {
  verify(token: string): Promise<{ readonly subject: string }>;
}

/** What a caller presented. */
export interface Credentials {
  /** The bearer token (API token or JWT), if any. */
  readonly bearer?: string | undefined;
  /** The principal a verified client certificate names (mTLS), if any. */
  readonly certificatePrincipal?: string | null | undefined;
  /** The caller's address, for the audit entry. */
  readonly source?: string | undefined;
}

/** A caller whose credential checked out. */
export interface Authenticated {
  readonly principal: PrincipalRecord;
  readonly method: 'token' | 'jwt' | 'mtls';
  /** The API token's id (`admin.token` for the admin token), when a token was used. */
  readonly tokenId?: string;
}

/** What {@link Authenticator} is built from. */
export interface AuthenticatorOptions {
  readonly db: Executor;
  readonly access: AccessControl;
  readonly now: () => Date;
  /** Set when identity.oidc is configured. */
  readonly jwt?: BearerJwtVerifier | undefined;
}

/**
 * Turns credentials into a principal: an API token, an OIDC JWT, or a verified client
 * certificate, each naming an existing, enabled principal. Every failure is refused with
 * RAMPART_UNAUTHENTICATED and leaves an audit entry (`identity.authenticate`).
 */
export class Authenticator {
  readonly #options: AuthenticatorOptions;

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
  }

  /** @throws RAMPART_UNAUTHENTICATED (after recording the failure) */
  async authenticate(credentials: Credentials): Promise<Authenticated> {
    const bearer = credentials.bearer;
    if (bearer !== undefined && bearer !== '') {
      if (bearer.startsWith('rmp_') || this.#options.jwt === undefined) {
        const result = await resolveToken(this.#options.db, bearer, this.#options.now());
        if (result.ok)
          return { principal: result.principal, method: 'token', tokenId: result.tokenId };
        return this.#refuse(result.reason, credentials, result.principal);
      }
      return this.#fromJwt(bearer, credentials);
    }
    const named = credentials.certificatePrincipal;
    if (named !== undefined && named !== null) {
      return {
        principal: await this.#enabled(named, 'client certificate', credentials),
        method: 'mtls',
      };
    }
    return this.#refuse('no credential was presented', credentials);
  }

  async #fromJwt(token: string, credentials: Credentials): Promise<Authenticated> {
    let subject: string;
    try {
      subject = (await (this.#options.jwt as BearerJwtVerifier).verify(token)).subject;
    } catch (error) {
      if (error instanceof RampartError && error.code === 'RAMPART_UNAUTHENTICATED') {
        return this.#refuse(error.message, credentials);
      }
      throw error;
    }
    return { principal: await this.#enabled(subject, 'JWT', credentials), method: 'jwt' };
  }

  async #enabled(name: string, via: string, credentials: Credentials): Promise<PrincipalRecord> {
    const principal = await findPrincipal(this.#options.db, name);
    if (principal === null)
      return this.#refuse(`the ${via} names unknown principal ${name}`, credentials);
    if (principal.disabledAt !== null) {
      return this.#refuse(`principal ${name} is disabled`, credentials, name);
    }
    return principal;
  }

  async #refuse(reason: string, credentials: Credentials, subject?: string): Promise<never> {
    const known = subject === undefined ? null : await findPrincipal(this.#options.db, subject);
    await this.#options.access.record(
      { subject: subject ?? 'anonymous', type: known?.type ?? 'human' },
      'identity.authenticate',
      { type: 'principal', id: subject ?? 'anonymous' },
      { allowed: false, reason },
      credentials.source === undefined ? {} : { source: credentials.source },
    );
    throw new RampartError('RAMPART_UNAUTHENTICATED', `authentication failed: ${reason}`, {
      hint: 'Pass a valid token with --token or RAMPART_TOKEN (HTTP: Authorization: Bearer <token>); `rampart token create` issues one.',
    });
  }
}
