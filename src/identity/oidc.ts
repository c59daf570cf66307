/**
 * OIDC access-token (JWT) verification against one configured issuer, with jose. Keys come
 * from the issuer's JWKS (configured, or discovered through its openid-configuration) and are
 * cached for `jwksCacheMs`. Only asymmetric algorithms from the allowlist are accepted; `exp`
 * is required. Every refusal is RAMPART_UNAUTHENTICATED naming what was wrong; an unreachable
 * or bad key endpoint is RAMPART_REMOTE_FAILED. Tokens never appear in messages or details.
 */
import type * as Jose from 'jose';
import type { FetchImplementation, JWTPayload, JWTVerifyGetKey } from 'jose';

// jose (about 46 modules) is loaded with the first token, not by every command that opens the
// identity module without OIDC configured.
let jose: Promise<typeof Jose> | undefined;
const loadJose = (): Promise<typeof Jose> => (jose ??= import('jose'));
import * as z from 'zod';
import type { Config } from '../config/index.js';
import { displayUrl, RampartError } from '../core/index.js';
import { fetchJson } from './oidc-http.js';

/** The `identity.oidc` section of rampart.yaml. */
export type OidcSettings = NonNullable<Config['identity']['oidc']>;

/** What a verified token says. */
export interface VerifiedJwt {
  /** The value of the configured subject claim: the name of the principal it speaks for. */
  readonly subject: string;
  readonly issuer: string;
  readonly expiresAt: Date | null;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Tuning of {@link createJwtVerifier}. */
export interface JwtVerifierOptions {
  /** Deadline of one request to the identity provider (default 5 s). */
  readonly timeoutMs?: number;
  /**
   * Least time between two JWKS fetches caused by an unknown key id (default: jwksCacheMs,
   * at most 30 s), so tokens with random key ids cannot hammer the provider.
   */
  readonly cooldownMs?: number;
}

/** Verifies bearer JWTs from the configured issuer. */
export interface JwtVerifier {
  /**
   * The verified claims of `token`.
   * @throws RAMPART_UNAUTHENTICATED naming the reason; RAMPART_REMOTE_FAILED when the issuer's
   *   keys cannot be fetched.
   */
  verify(token: string): Promise<VerifiedJwt>;
}

/** Why a token was refused, as a stable word for audit entries (`details.reason`). */
export type JwtRefusal =
  | 'malformed'
  | 'algorithm'
  | 'signature'
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'missing_exp'
  | 'issuer'
  | 'audience'
  | 'claims'
  | 'subject';

const MAX_TOKEN_CHARS = 16 * 1024;
const MAX_SUBJECT_CHARS = 256;
const MAX_DISCOVERY_BYTES = 64 * 1024;
const MAX_JWKS_BYTES = 256 * 1024;
const DEFAULT_TIMEOUT_MS = 5000;
// The signature segment may be empty (alg "none"), so such tokens reach the verifier and are
// refused with a reason instead of looking like some other kind of credential.
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
// Defence in depth beside the config schema: never "none", never a shared-secret HS* algorithm.
const ASYMMETRIC: ReadonlySet<string> = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]);

const discoverySchema = z.looseObject({ issuer: z.string(), jwks_uri: z.string() });

/** True when `token` has the shape of a compact JWS (three base64url segments, bounded). */
export function looksLikeJwt(token: string): boolean {
  return token.length <= MAX_TOKEN_CHARS && JWT_SHAPE.test(token);
}

/**
 * A verifier for tokens from `settings.issuer`. Nothing is fetched until the first token.
 * @throws RAMPART_CONFIG_INVALID when the algorithm allowlist holds a symmetric algorithm.
 */
export function createJwtVerifier(
  settings: OidcSettings,
  options: JwtVerifierOptions = {},
): JwtVerifier {
  const algorithms = [...settings.algorithms];
  const unsafe = algorithms.filter((alg) => !ASYMMETRIC.has(alg));
  if (unsafe.length > 0) {
    throw new RampartError(
      'RAMPART_CONFIG_INVALID',
      `identity.oidc.algorithms: ${unsafe.join(', ')} not allowed`,
      { details: { path: 'identity.oidc.algorithms' } },
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cooldownMs = options.cooldownMs ?? Math.min(30_000, settings.jwksCacheMs);
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = (): Promise<JWTVerifyGetKey> => {
    // Discovery is fetched once; a failure is not cached, so the next token tries again.
    keys ??= remoteKeySet(settings, timeoutMs, cooldownMs).catch((error: unknown) => {
      keys = undefined;
      throw error;
    });
    return keys;
  };
  return {
    async verify(token) {
      if (!looksLikeJwt(token)) throw refused('malformed', 'the token is not a well-formed JWT');
      const lib = await loadJose();
      checkAlgorithm(lib, token, algorithms);
      const getKey = await keySet();
      let payload: JWTPayload;
      try {
        ({ payload } = await lib.jwtVerify(token, getKey, {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms,
          requiredClaims: ['exp'],
          clockTolerance: settings.clockToleranceS,
        }));
      } catch (error) {
        throw translate(lib, error);
      }
      return verified(payload, settings);
    },
  };
}

function checkAlgorithm(lib: typeof Jose, token: string, algorithms: readonly string[]): void {
  let alg: unknown;
  try {
    alg = lib.decodeProtectedHeader(token).alg;
  } catch {
    throw refused('malformed', 'the JWT header cannot be decoded');
  }
  if (typeof alg !== 'string' || !algorithms.includes(alg)) {
    throw refused('algorithm', `algorithm ${shown(alg)} is not allowed`);
  }
}

function verified(payload: JWTPayload, settings: OidcSettings): VerifiedJwt {
  const subject = payload[settings.subjectClaim];
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_CHARS) {
    throw refused(
      'subject',
      `claim "${settings.subjectClaim}" is missing or not a string of 1 to ${MAX_SUBJECT_CHARS} characters`,
    );
  }
  return {
    subject,
    issuer: settings.issuer,
    expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null,
    claims: Object.freeze({ ...payload }),
  };
}

async function remoteKeySet(
  settings: OidcSettings,
  timeoutMs: number,
  cooldownMs: number,
): Promise<JWTVerifyGetKey> {
  const url =
    settings.jwksUrl === null
      ? await discoverJwksUrl(settings.issuer, timeoutMs)
      : new URL(settings.jwksUrl);
  const boundedFetch: FetchImplementation = async (href, init) => {
    const body = await fetchJson(new URL(href), {
      timeoutMs,
      maxBytes: MAX_JWKS_BYTES,
      signal: init.signal,
    });
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  const lib = await loadJose();
  return lib.createRemoteJWKSet(url, {
    timeoutDuration: timeoutMs,
    cacheMaxAge: settings.jwksCacheMs,
    cooldownDuration: cooldownMs,
    [lib.customFetch]: boundedFetch,
  });
}

async function discoverJwksUrl(issuer: string, timeoutMs: number): Promise<URL> {
  const url = new URL(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  const parsed = discoverySchema.safeParse(
    await fetchJson(url, { timeoutMs, maxBytes: MAX_DISCOVERY_BYTES }),
  );
  if (!parsed.success) throw badDiscovery(url, 'has no issuer and jwks_uri');
  // OIDC Discovery §4.3: the document must name exactly the issuer it was fetched for.
  if (parsed.data.issuer !== issuer) throw badDiscovery(url, 'names a different issuer');
  let jwks: URL;
  try {
    jwks = new URL(parsed.data.jwks_uri);
  } catch {
    throw badDiscovery(url, 'has a jwks_uri that is not a URL');
  }
  if (jwks.protocol !== 'https:' && jwks.protocol !== 'http:') {
    throw badDiscovery(url, 'has a jwks_uri that is not http(s)');
  }
  return jwks;
}

function badDiscovery(url: URL, problem: string): RampartError {
  return new RampartError('RAMPART_REMOTE_FAILED', `${displayUrl(url)} ${problem}`, {
    hint: 'Check identity.oidc.issuer (it must match the provider exactly), or set identity.oidc.jwksUrl.',
    details: { url: displayUrl(url) },
  });
}

/** Maps a jose failure to a coded error with a reason a person can act on. */
function translate(lib: typeof Jose, error: unknown): RampartError {
  if (error instanceof RampartError) return error;
  if (!(error instanceof lib.errors.JOSEError)) {
    return refused('malformed', 'the token could not be verified');
  }
  switch (error.code) {
    case 'ERR_JWT_EXPIRED':
      return refused('expired', 'the token has expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return error instanceof lib.errors.JWTClaimValidationFailed
        ? claimRefusal(error)
        : refused('claims', 'a claim is not valid');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return refused('algorithm', 'the token algorithm is not allowed');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return refused('signature', 'the token signature does not verify');
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return refused('unknown_key', "the token is signed with a key not in the issuer's JWKS");
    case 'ERR_JWKS_INVALID':
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JOSE_GENERIC':
      return new RampartError('RAMPART_REMOTE_FAILED', "the issuer's JWKS cannot be used", {
        cause: error,
        hint: 'Check identity.oidc.jwksUrl and that the identity provider serves a valid JWKS.',
      });
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JWK_INVALID':
    case 'ERR_JWE_INVALID':
    case 'ERR_JWE_DECRYPTION_FAILED':
    default:
      return refused('malformed', 'the token is malformed');
  }
}

function claimRefusal(error: Jose.errors.JWTClaimValidationFailed): RampartError {
  switch (error.claim) {
    case 'iss':
      return refused('issuer', 'the token is from the wrong issuer');
    case 'aud':
      return refused('audience', 'the token is for the wrong audience');
    case 'nbf':
      return refused('not_yet_valid', 'the token is not valid yet (nbf is in the future)');
    case 'exp':
      return refused('missing_exp', 'the token has no expiry (exp)');
    default:
      return refused('claims', `claim ${shown(error.claim)} is not valid`);
  }
}

// No cause is kept: jose's claim errors carry the token payload, which must not reach logs.
function refused(reason: JwtRefusal, what: string): RampartError {
  return new RampartError('RAMPART_UNAUTHENTICATED', `JWT refused: ${what}`, {
    hint: 'Get a fresh access token from the identity provider configured in identity.oidc.',
    details: { reason },
  });
}

// Header and claim names come from the token: show them only when short and plain.
function shown(value: unknown): string {
  return typeof value === 'string' && /^[A-Za-z0-9_+-]{1,32}$/.test(value)
    ? `"${value}"`
    : '(unreadable)';
}
