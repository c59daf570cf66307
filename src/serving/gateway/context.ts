import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UpstreamPools } from './forward.js';
import { sendError } from './io.js';
import type { InFlight, LimitBackend } from './limits.js';
import type { Tensor } from '../oip/types.js';
import type { GatewayMetrics, RejectionReason } from './metrics.js';
import type { GatewayOptions } from './types.js';

/** What every request handler shares. */
export interface GatewayContext {
  readonly options: GatewayOptions;
  readonly metrics: GatewayMetrics;
  readonly pools: UpstreamPools;
  readonly limits: LimitBackend;
  /** In-flight inference per principal. */
  readonly perKey: InFlight;
  /** In-flight inference per upstream key. */
  readonly perUpstream: InFlight;
  readonly eventLoopDelayMs: () => number;
  inFlight: number;
}

/** What one request has learnt so far (for its metrics and access-log line). */
export interface RequestState {
  readonly id: string;
  model: string;
  version: string;
  principal: string;
  reason: RejectionReason | '';
  /** The in-flight slots this request holds (per caller, per upstream), released on close. */
  heldKey?: string | undefined;
  heldUpstream?: string | undefined;
  /** The validated inputs and the checked outputs, for the inference observer. */
  inputs?: readonly Tensor[] | undefined;
  outputs?: readonly Tensor[] | undefined;
}

/** Refuses a request: counts the reason and sends `{"error": message}`. */
export function refuse(
  ctx: GatewayContext,
  state: RequestState,
  req: IncomingMessage,
  res: ServerResponse,
  refusal: { status: number; reason: RejectionReason; error: string },
  headers: Readonly<Record<string, string>> = {},
): void {
  ctx.metrics.reject(refusal.reason);
  state.reason = refusal.reason;
  sendError(req, res, refusal.status, refusal.error, headers);
}

/** An error's message for logs (never a credential: those are not in error messages). */
export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
