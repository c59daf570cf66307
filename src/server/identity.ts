import { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { RampartError } from '../core/index.js';
import type {
  AccessControl,
  Action,
  Authenticator,
  PrincipalRecord,
  Resource,
} from '../identity/index.js';
import { peerPrincipal } from './tls.js';

/** Identity services the server authenticates and authorises with. */
export interface ServerIdentity {
  readonly authenticator: Pick<Authenticator, 'authenticate'>;
  readonly access: Pick<AccessControl, 'decide'>;
}

/** Hono variables set by {@link authenticate}. */
export interface AuthVariables {
  principal: PrincipalRecord;
}

/** The environment of routes behind {@link authenticate}. */
export interface AuthEnv {
  Variables: AuthVariables;
}

const BEARER = /^Bearer ([\x21-\x7e]{1,4096})$/;

/**
 * Authenticates every request before its body is read: an API token or OIDC JWT in
 * `Authorization: Bearer`, or a verified client certificate (mTLS). Failures are refused with
 * 401 and audited by the authenticator.
 */
export function authenticate(identity: ServerIdentity): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    // A malformed header is passed on as it is, to be refused (and audited) as an unknown token.
    const bearer =
      header === undefined ? undefined : (BEARER.exec(header)?.[1] ?? header.slice(0, 64));
    const { principal } = await identity.authenticator.authenticate({
      bearer,
      certificatePrincipal: peerPrincipal(c),
      source: sourceAddress(c),
    });
    c.set('principal', principal);
    await next();
  };
}

/**
 * Asks the policy decision point whether the authenticated principal may do `action`.
 * @throws RAMPART_FORBIDDEN (403) when it refuses; the decision is audited either way.
 */
export async function authorize(
  identity: ServerIdentity,
  c: Context<AuthEnv>,
  action: Action,
  resource: Resource,
): Promise<PrincipalRecord> {
  const principal = c.get('principal');
  const decision = await identity.access.decide(principal, action, resource, {
    ...(sourceAddress(c) === undefined ? {} : { source: sourceAddress(c) as string }),
  });
  if (!decision.allowed) {
    throw new RampartError('RAMPART_FORBIDDEN', `${action} refused: ${decision.reason}`);
  }
  return principal;
}

/** The peer address of the request's connection, if known. */
export function sourceAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: unknown } | undefined;
  return env?.incoming instanceof IncomingMessage
    ? (env.incoming.socket.remoteAddress ?? undefined)
    : undefined;
}
