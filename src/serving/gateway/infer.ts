/**
 * The inference half of the request path, for an authenticated and authorised caller: rate
 * and concurrency limits, body limits, JSON depth, OIP validation, forwarding, and a check of
 * the model's answer before it goes back. What reaches the model is the validated request
 * re-serialised, never the client's bytes (duplicate keys, say, cannot mean two things).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRampartError } from '../../core/index.js';
import type { PrincipalRecord } from '../../identity/index.js';
import { parseJsonLimited } from '../oip/json.js';
import type { InferRequest, InferResponse, Tensor } from '../oip/types.js';
import { validateInferRequest, validateInferResponse } from '../oip/validate.js';
import type { ForwardOutcome } from './forward.js';
import { message, refuse, type GatewayContext, type RequestState } from './context.js';
import { readBody, sendJson } from './io.js';
import type { RejectionReason } from './metrics.js';
import type { ModelPath } from './path.js';
import type { RouteResult } from './types.js';

type Routed = Extract<RouteResult, { kind: 'ok' }>;

const MIN_RESPONSE_BYTES = 8 * 1024 * 1024;
const JSON_TYPE = /^application\/json\s*(;\s*charset=utf-8\s*)?$/i;

/** Handles `POST /v2/models/{name}[/versions/{v}]/infer` once the caller may infer. */
export async function handleInfer(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  state: RequestState,
  principal: PrincipalRecord,
  route: Routed,
  path: ModelPath,
): Promise<void> {
  const config = ctx.options.config;
  const no = (status: number, reason: RejectionReason, error: string, headers = {}): void => {
    refuse(ctx, state, req, res, { status, reason, error }, headers);
  };
  const limit = config.models.find((m) => m.name === path.model)?.rateLimit ?? config.rateLimit;
  const bucket = `${principal.subject}\u0000${path.model}`;
  const take = async (cost: number): Promise<boolean> => {
    if (cost > limit.burst) {
      no(413, 'size', `the request costs ${cost} elements, more than the burst of ${limit.burst}`);
      return false;
    }
    try {
      const decision = await ctx.limits.take(bucket, cost, limit.rate, limit.burst);
      if (decision.allowed) return true;
      const seconds = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
      no(429, 'ratelimit', 'rate limit exceeded', { 'retry-after': seconds });
    } catch (error) {
      // A limiter that cannot answer refuses: failing open would lift every limit at once.
      ctx.options.logger.error('gateway rate-limit backend failed', { error: message(error) });
      no(503, 'limit_backend', 'rate limiting is unavailable', { 'retry-after': '1' });
    }
    return false;
  };
  if (ctx.options.observer?.throttled(principal.subject) === true) {
    no(429, 'throttled', 'inference is throttled for this caller', { 'retry-after': '60' });
    return;
  }
  if (limit.cost === 'requests' && !(await take(1))) return;
  // The caller may have left while this request awaited (credential, grant, limiter): its close
  // has run, so a slot taken now would never be given back.
  if (res.destroyed) return;
  if (!ctx.perKey.tryAcquire(principal.subject, config.maxInFlightPerKey)) {
    no(429, 'concurrency', 'too many requests in flight for this caller', {
      'retry-after': '1',
    });
    return;
  }
  state.heldKey = principal.subject;
  const upstream = route.upstream;
  if (!ctx.perUpstream.tryAcquire(upstream.key, config.maxInFlightPerUpstream)) {
    no(429, 'concurrency', 'too many requests in flight for this model', {
      'retry-after': '1',
    });
    return;
  }
  state.heldUpstream = upstream.key;

  const type = req.headers['content-type'] ?? '';
  if (!JSON_TYPE.test(type) || 'inference-header-content-length' in req.headers) {
    no(415, 'media_type', 'the body must be application/json (binary tensors are not accepted)');
    return;
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > config.bodyLimitBytes) {
    no(413, 'size', `the body is larger than ${config.bodyLimitBytes} bytes`);
    return;
  }
  const body = await readBody(req, config.bodyLimitBytes);
  if (!body.ok) {
    no(body.status, body.status === 413 ? 'size' : 'json', body.error);
    return;
  }
  const json = parseJsonLimited(body.bytes, config.maxJsonDepth);
  if (!json.ok) {
    no(400, 'json', json.error);
    return;
  }
  const request = validateInferRequest(json.value, route.metadata, {
    maxElements: config.bodyLimitBytes,
  });
  if (!request.ok) {
    no(400, 'schema', request.error);
    return;
  }
  if (limit.cost === 'elements' && !(await take(request.elements))) return;
  state.inputs = request.value.inputs;

  const sent = performance.now();
  const answer =
    upstream.local === undefined
      ? checkAnswer(
          ctx,
          await ctx.pools.infer(upstream, JSON.stringify(request.value), state.id),
          route,
          path.model,
          request.value.id,
        )
      : await inferLocally(ctx, upstream.local, request.value, route, path.model);
  ctx.options.router.record(path.model, route.version, {
    status: answer.status,
    latencyMs: performance.now() - sent,
    upstreamFailed: answer.upstreamFailed,
  });
  if (answer.status === 200) {
    state.outputs = answer.outputs;
    sendJson(res, 200, answer.body);
    return;
  }
  no(answer.status, 'upstream', answer.body, answer.status === 503 ? { 'retry-after': '1' } : {});
}

interface Answer {
  readonly status: number;
  /** The response body (200) or the error message. */
  readonly body: string;
  readonly upstreamFailed: boolean;
  /** The checked outputs (200 only). */
  readonly outputs?: readonly Tensor[];
}

// The in-process path: the same checks on the answer, without serialising it twice.
async function inferLocally(
  ctx: GatewayContext,
  local: NonNullable<Routed['upstream']['local']>,
  request: InferRequest,
  route: Routed,
  model: string,
): Promise<Answer> {
  let response: InferResponse;
  try {
    response = await local(request);
  } catch (error) {
    if (isRampartError(error) && error.kind === 'input') {
      return {
        status: 400,
        body: `the model refused the request: ${error.message.slice(0, 256)}`,
        upstreamFailed: false,
      };
    }
    const unknown = isRampartError(error, 'RAMPART_MODEL_SERVER_MODEL_UNKNOWN');
    return {
      status: unknown ? 503 : 502,
      body: unknown ? 'the model server is unavailable' : 'the model failed',
      upstreamFailed: true,
    };
  }
  return answerOf(ctx, response, route, model, request.id);
}

function checkAnswer(
  ctx: GatewayContext,
  outcome: ForwardOutcome,
  route: Routed,
  model: string,
  id: string | undefined,
): Answer {
  const failed = (status: number, body: string): Answer => ({ status, body, upstreamFailed: true });
  switch (outcome.kind) {
    case 'down':
      return failed(503, 'the model server is unavailable');
    case 'timeout':
      return failed(504, 'the model server did not answer in time');
    case 'too-large':
      return failed(502, 'the model server answered with too large a body');
    case 'answered':
      break;
  }
  const json = parseJsonLimited(outcome.bytes, ctx.options.config.maxJsonDepth);
  if (outcome.status === 400) {
    // The model refused what the gateway let through; its reason helps the caller.
    const error = json.ok ? (json.value as { error?: unknown } | null)?.error : undefined;
    const reason = typeof error === 'string' ? error.slice(0, 256) : 'the request was refused';
    return {
      status: 400,
      body: `the model server refused the request: ${reason}`,
      upstreamFailed: false,
    };
  }
  if (outcome.status !== 200) {
    return failed(
      outcome.status === 503 ? 503 : 502,
      `the model server answered ${outcome.status}`,
    );
  }
  if (!json.ok) return failed(502, `the model server's answer is malformed: ${json.error}`);
  return answerOf(ctx, json.value, route, model, id);
}

// The model's answer, checked against the metadata and rewritten with the served name,
// the routed version and the caller's request id.
function answerOf(
  ctx: GatewayContext,
  value: unknown,
  route: Routed,
  model: string,
  id: string | undefined,
): Answer {
  const checked = validateInferResponse(value, route.metadata, {
    maxElements: responseLimit(ctx.options.config.bodyLimitBytes),
  });
  if (!checked.ok) {
    return {
      status: 502,
      body: `the model server's answer is malformed: ${checked.error}`,
      upstreamFailed: true,
    };
  }
  const { parameters, outputs } = checked.value;
  const response: InferResponse = {
    model_name: model,
    model_version: route.version,
    ...(id === undefined ? {} : { id }),
    ...(parameters === undefined ? {} : { parameters }),
    outputs,
  };
  return { status: 200, body: JSON.stringify(response), upstreamFailed: false, outputs };
}

/** The largest upstream answer the gateway reads, in bytes. */
export function responseLimit(bodyLimitBytes: number): number {
  return Math.max(bodyLimitBytes, MIN_RESPONSE_BYTES);
}
