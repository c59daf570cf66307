/**
 * The gateway's URL allowlist, matched on the raw request target. Nothing is decoded: model
 * names and versions never contain `%`, so any percent-encoding (`%2F`, `%2e%2e`) is refused
 * before a decoder could turn it into a path separator or a dot segment.
 */

/** A request target about one model (version). */
export interface ModelPath {
  readonly kind: 'model-metadata' | 'model-ready' | 'infer';
  readonly model: string;
  readonly version: string | undefined;
}

/** A request target the gateway serves. */
export type GatewayPath =
  { readonly kind: 'live' } | { readonly kind: 'ready' } | { readonly kind: 'metrics' } | ModelPath;

/** A parsed path, or the status and message to refuse it with. */
export type PathResult =
  | { readonly ok: true; readonly path: GatewayPath }
  | { readonly ok: false; readonly status: 400 | 404; readonly error: string };

const MODEL = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_TARGET = 512;
const FIXED: Readonly<Record<string, GatewayPath>> = {
  '/v2/health/live': { kind: 'live' },
  '/v2/health/ready': { kind: 'ready' },
  '/metrics': { kind: 'metrics' },
};

// The common shape in one match: every character class here excludes `%`, `?`, `#`, `\`, empty
// and dot segments, so only a `..` inside a name is left for the full checks below to refuse.
const MODEL_TARGET =
  /^\/v2\/models\/([a-z0-9][a-z0-9._-]{0,127})(?:\/versions\/([A-Za-z0-9][A-Za-z0-9._-]{0,63}))?(?:\/(infer|ready))?$/;
const TAIL_KIND = { infer: 'infer', ready: 'model-ready' } as const;

/** Matches a raw request target (`req.url`) against the allowlist. */
export function parseGatewayPath(target: string): PathResult {
  const match = target.length <= MAX_TARGET ? MODEL_TARGET.exec(target) : null;
  if (match !== null && !target.includes('..')) {
    const [, model = '', version, tail] = match;
    const kind = tail === undefined ? 'model-metadata' : TAIL_KIND[tail as keyof typeof TAIL_KIND];
    return { ok: true, path: { kind, model, version } };
  }
  return parseSlowly(target);
}

/**
 * The full checks alone, segment by segment: what {@link parseGatewayPath} answers for targets
 * its one-match fast path does not take (and must agree with on those it does: tested).
 */
export function parseSlowly(target: string): PathResult {
  if (target.length > MAX_TARGET) return refuse(400, 'the request target is too long');
  if (!target.startsWith('/')) return refuse(400, 'the request target must be a path');
  if (target.includes('?') || target.includes('#')) {
    return refuse(400, 'query strings are not accepted');
  }
  if (target.includes('%')) return refuse(400, 'percent-encoded paths are not accepted');
  if (target.includes('\\')) return refuse(400, 'backslashes are not accepted in paths');
  const segments = target.split('/').slice(1);
  if (segments.some((s) => s === '')) return refuse(400, 'empty path segments are not accepted');
  if (segments.some((s) => s === '.' || s === '..')) {
    return refuse(400, 'dot segments are not accepted');
  }
  const fixed = FIXED[target];
  if (fixed !== undefined) return { ok: true, path: fixed };
  if (segments[0] !== 'v2' || segments[1] !== 'models' || segments.length < 3) {
    return refuse(404, 'no such route');
  }
  const [, , model = '', ...rest] = segments;
  if (!MODEL.test(model) || model.includes('..')) return refuse(400, 'the model name is not valid');
  let version: string | undefined;
  let tail = rest;
  if (tail[0] === 'versions') {
    version = tail[1];
    if (version === undefined || !VERSION.test(version) || version.includes('..')) {
      return refuse(400, 'the model version is not valid');
    }
    tail = tail.slice(2);
  }
  if (tail.length === 0) return { ok: true, path: { kind: 'model-metadata', model, version } };
  if (tail.length === 1 && tail[0] === 'ready') {
    return { ok: true, path: { kind: 'model-ready', model, version } };
  }
  if (tail.length === 1 && tail[0] === 'infer') {
    return { ok: true, path: { kind: 'infer', model, version } };
  }
  return refuse(404, 'no such route');
}

/** The method a path accepts. */
export function methodFor(path: GatewayPath): 'GET' | 'POST' {
  return path.kind === 'infer' ? 'POST' : 'GET';
}

function refuse(status: 400 | 404, error: string): PathResult {
  return { ok: false, status, error };
}
