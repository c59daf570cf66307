/**
 * The one HTTP client of OIDC verification: GETs a JSON document from an identity provider
 * with a deadline and a size limit. Any failure is RAMPART_REMOTE_FAILED, so a provider that
 * is down, slow or answers garbage makes verification fail closed.
 */
import {
  displayUrl,
  httpRequest,
  jsonBody,
  remoteFailed,
  type RemoteDescription,
} from '../core/index.js';

/** Limits on one request to an identity provider. */
export interface FetchLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Aborts the request early (jose passes its own deadline). */
  readonly signal?: AbortSignal;
}

/**
 * The JSON document at `url` (HTTP 200 only; redirects are not followed).
 * @throws RAMPART_REMOTE_FAILED when unreachable, slow, not 200, too large or not JSON.
 */
export async function fetchJson(url: URL, limits: FetchLimits): Promise<unknown> {
  const remote: RemoteDescription = {
    name: displayUrl(url),
    hint: 'Check identity.oidc (issuer, jwksUrl) and that the identity provider is reachable; tokens are refused until it is.',
    details: { url: displayUrl(url) },
  };
  const answer = await httpRequest(url, {
    headers: { accept: 'application/json' },
    ...limits,
    remote,
  });
  if (answer.status !== 200) throw remoteFailed(remote, `answered HTTP ${answer.status}`);
  const body = jsonBody(answer);
  if (body === undefined) throw remoteFailed(remote, 'answered with something that is not JSON');
  return body;
}
