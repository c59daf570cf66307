/**
 * The gateway request path (serving.md §8.1), cheapest refusals first: method, path, load,
 * route, credentials (before any body byte is read), permission; then, for inference, limits,
 * body, validation and forwarding (infer.ts). Every answer carries a fresh x-request-id.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { Credentials, PrincipalRecord } from '../../identity/index.js';
import { certificatePrincipal } from '../../identity/index.js';
import { message, refuse, type GatewayContext, type RequestState } from './context.js';
import { handleInfer } from './infer.js';
import { sendError, sendJson } from './io.js';
import type { RejectionReason } from './metrics.js';
import { methodFor, parseGatewayPath } from './path.js';
import type { RouteResult } from './types.js';

/** Answers a refusal: status, the metrics reason, the message and extra headers. */
type Refuse = (
  status: number,
  reason: RejectionReason,
  error: string,
  headers?: Record<string, string>,
) => void;

const OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'];
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;
const CHALLENGE = { 'www-authenticate': 'Bearer realm="rampart"' };
const INVALID_TOKEN = { 'www-authenticate': 'Bearer realm="rampart", error="invalid_token"' };

/** Builds the node:http request listener. */
export function createHandler(
  ctx: GatewayContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    const state: RequestState = {
      id: randomUUID(),
      model: '',
      version: '',
      principal: '',
      reason: '',
    };
    res.setHeader('x-request-id', state.id);
    ctx.inFlight++;
    res.once('close', () => {
      ctx.inFlight--;
      if (state.heldKey !== undefined) ctx.perKey.release(state.heldKey);
      if (state.heldUpstream !== undefined) ctx.perUpstream.release(state.heldUpstream);
      const seconds = (performance.now() - started) / 1000;
      const status = res.headersSent ? res.statusCode : 0;
      ctx.metrics.request(state.model, state.version, status, seconds);
      if (ctx.options.observer !== undefined && state.principal !== '' && state.version !== '') {
        ctx.options.observer.observe({
          requestId: state.id,
          model: state.model,
          version: state.version,
          principal: state.principal,
          status,
          latencyMs: seconds * 1000,
          inputs: state.inputs,
          outputs: state.outputs,
        });
      }
      ctx.options.logger.info('gateway request', {
        requestId: state.id,
        method: req.method,
        model: state.model,
        version: state.version,
        principal: state.principal,
        status,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        reason: state.reason === '' ? undefined : state.reason, // undefined: not written
        source: req.socket.remoteAddress,
      });
    });
    handle(ctx, req, res, state).catch((error: unknown) => {
      ctx.options.logger.error('gateway request failed', {
        requestId: state.id,
        error: error instanceof Error ? error.message : String(error),
      });
      sendError(req, res, 500, 'internal error');
    });
  };
}

async function handle(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  state: RequestState,
): Promise<void> {
  const no = (status: number, reason: RejectionReason, error: string, headers = {}): void => {
    refuse(ctx, state, req, res, { status, reason, error }, headers);
  };
  if (req.method !== 'GET' && req.method !== 'POST') {
    no(405, 'method', 'only GET and POST are accepted', { allow: 'GET, POST' });
    return;
  }
  if (OVERRIDE_HEADERS.some((name) => name in req.headers)) {
    no(400, 'method', 'method override headers are not accepted');
    return;
  }
  const parsed = parseGatewayPath(req.url ?? '');
  if (!parsed.ok) {
    no(parsed.status, 'path', parsed.error);
    return;
  }
  const path = parsed.path;
  if (methodFor(path) !== req.method) {
    no(405, 'method', `use ${methodFor(path)} here`, { allow: methodFor(path) });
    return;
  }
  const overloaded = ctx.eventLoopDelayMs() > ctx.options.config.maxEventLoopDelayMs;
  if (path.kind === 'live') {
    sendJson(res, 200, '{"live":true}');
    return;
  }
  if (path.kind === 'ready') {
    sendJson(res, overloaded ? 503 : 200, JSON.stringify({ ready: !overloaded }));
    return;
  }
  if (path.kind === 'metrics') {
    sendMetrics(ctx, res);
    return;
  }
  if (overloaded) {
    no(503, 'overload', 'the gateway is overloaded', { 'retry-after': '1' });
    return;
  }
  // Unknown models are refused before authentication, so probing costs no credential check.
  const known = ctx.options.router.route(path.model, path.version, '');
  if (known.kind !== 'ok') {
    unrouted(known, no);
    return;
  }
  const principal = await authenticate(ctx, req, no);
  if (principal === null) return;
  state.principal = principal.subject;
  const route = ctx.options.router.route(path.model, path.version, principal.subject);
  if (route.kind !== 'ok') {
    unrouted(route, no);
    return;
  }
  state.model = path.model;
  state.version = route.version;
  const verb = path.kind === 'infer' ? 'infer' : 'metadata';
  let allowed: boolean;
  try {
    allowed = await ctx.options.authorize(principal, path.model, verb);
  } catch (error) {
    ctx.options.logger.error('gateway authorisation failed', {
      requestId: state.id,
      error: message(error),
    });
    no(503, 'unavailable', 'authorisation is unavailable', { 'retry-after': '1' });
    return;
  }
  if (!allowed) {
    no(403, 'forbidden', `not allowed to ${verb} model ${path.model}`);
    return;
  }
  if (path.kind === 'model-metadata') {
    sendJson(res, 200, JSON.stringify(route.metadata));
    return;
  }
  if (path.kind === 'model-ready') {
    sendJson(res, 200, JSON.stringify({ name: path.model, ready: true }));
    return;
  }
  await handleInfer(ctx, req, res, state, principal, route, path);
}

function unrouted(route: Exclude<RouteResult, { kind: 'ok' }>, no: Refuse): void {
  if (route.kind === 'unavailable') {
    // The reason (integrity, approval, upstream address) is for the operator's log, not callers.
    no(503, 'unavailable', 'the model is unavailable', {
      'retry-after': '5',
    });
    return;
  }
  no(404, 'not_found', route.kind === 'unknown-model' ? 'no such model' : 'no such model version');
}

async function authenticate(
  ctx: GatewayContext,
  req: IncomingMessage,
  no: Refuse,
): Promise<PrincipalRecord | null> {
  // Node keeps only the first of repeated Authorization headers; count them in the raw list.
  const values: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    // The length test first: most header names are not 13 characters long.
    if (name.length === 13 && name.toLowerCase() === 'authorization') values.push(raw[i + 1] ?? '');
  }
  if (values.length > 1) {
    no(401, 'auth', 'more than one Authorization header', CHALLENGE);
    return null;
  }
  const header = values[0];
  const bearer = header === undefined ? undefined : BEARER.exec(header)?.[1];
  if (header !== undefined && bearer === undefined) {
    no(401, 'auth', 'the Authorization header is not a Bearer token', CHALLENGE);
    return null;
  }
  const socket = req.socket;
  const certificate =
    socket instanceof TLSSocket && socket.authorized
      ? certificatePrincipal(socket.getPeerCertificate())
      : null;
  if (bearer === undefined && certificate === null) {
    no(401, 'auth', 'authentication required', CHALLENGE);
    return null;
  }
  const credentials: Credentials = {
    bearer,
    certificatePrincipal: certificate,
    source: socket.remoteAddress,
  };
  let principal: PrincipalRecord | null;
  try {
    principal = await ctx.options.authenticate(credentials);
  } catch (error) {
    ctx.options.logger.error('gateway authentication failed', { error: message(error) });
    no(503, 'unavailable', 'authentication is unavailable', { 'retry-after': '1' });
    return null;
  }
  if (principal === null) {
    no(401, 'auth', 'the credential was not accepted', INVALID_TOKEN);
  }
  return principal;
}

function sendMetrics(ctx: GatewayContext, res: ServerResponse): void {
  const text =
    ctx.metrics.render(ctx.inFlight, ctx.perUpstream.entries()) +
    (ctx.options.extraMetrics?.() ?? '');
  res.writeHead(200, {
    'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
