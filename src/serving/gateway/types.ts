import type { Config } from '../../config/index.js';
import type { Logger } from '../../core/index.js';
import type { Credentials, PrincipalRecord } from '../../identity/index.js';
import type { InferRequest, InferResponse, ModelMetadata, Tensor } from '../oip/types.js';
import type { LimitBackend } from './limits.js';

/** Where one model version is served, and how to reach it. */
export interface Upstream {
  /** Stable identity of the upstream (one connection pool and one concurrency cap per key). */
  readonly key: string;
  /** `http://host:port` (the path comes from `path`). */
  readonly origin: string;
  /** A Unix socket to connect to instead of the origin's host and port. */
  readonly socketPath: string | null;
  readonly path: (verb: 'infer' | 'metadata') => string;
  /**
   * Runs inference in this process instead of over HTTP (the embedded model server the same
   * process started): no socket, no second parse. Throws coded errors like the model server.
   */
  readonly local?: (request: InferRequest) => Promise<InferResponse>;
}

/** What {@link Router.route} decided. */
export type RouteResult =
  | {
      readonly kind: 'ok';
      readonly version: string;
      readonly metadata: ModelMetadata;
      readonly upstream: Upstream;
    }
  | { readonly kind: 'unknown-model' | 'unknown-version' }
  | { readonly kind: 'unavailable'; readonly reason: string };

/**
 * Picks upstreams (registry-backed, with canary weights; implemented outside the gateway).
 * `route` must not have side effects: the gateway asks once before authentication (to refuse
 * unknown models early) and once after, with the caller, for the upstream it will use.
 */
export interface Router {
  /** Which upstream serves this request; `version` is the one asked for in the path, if any. */
  route(model: string, version: string | undefined, caller: string): RouteResult;
  /** Outcome of a forwarded request (feeds canary gates). */
  record(
    model: string,
    version: string,
    outcome: {
      readonly status: number;
      readonly latencyMs: number;
      readonly upstreamFailed: boolean;
    },
  ): void;
}

/** TLS for the gateway listener: PEM contents (the same shape as the server's TlsOptions). */
export interface GatewayTls {
  readonly cert: string;
  readonly key: string;
  /** PEM CA bundle; when set, every client must present a certificate it issued (mTLS). */
  readonly clientCa: string | null;
}

/** Everything {@link startGateway} needs. */
export interface GatewayOptions {
  readonly config: Config['gateway'];
  /** Access log: one line per request, no payloads, no credentials. */
  readonly logger: Logger;
  /**
   * The credential's principal, or null when the credential is refused (answered 401). May
   * answer synchronously (a cached decision).
   * @throws only when it cannot decide (e.g. the store is down; answered 503)
   */
  readonly authenticate: (
    credentials: Credentials,
  ) => PrincipalRecord | null | Promise<PrincipalRecord | null>;
  /** @throws only when it cannot decide (answered 503) */
  readonly authorize: (
    principal: PrincipalRecord,
    model: string,
    verb: 'infer' | 'metadata',
  ) => boolean | Promise<boolean>;
  readonly router: Router;
  /** Shared token buckets; default: in memory, per process. */
  readonly limits?: LimitBackend;
  /** Appended to /metrics (canary gauges). */
  readonly extraMetrics?: () => string;
  /** HTTPS; with clientCa, mTLS (the certificate's principal becomes a credential). */
  readonly tls?: GatewayTls | undefined;
  /** Sees every request that reached a model (inference log, extraction detection). */
  readonly observer?: InferenceObserver | undefined;
  /** Event-loop delay p99 over the last second, in ms; default: perf_hooks monitoring. */
  readonly eventLoopDelayMs?: () => number;
}

/** One request that reached a model, as the observer sees it (no credentials). */
export interface ObservedInference {
  readonly requestId: string;
  readonly model: string;
  readonly version: string;
  readonly principal: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly inputs?: readonly Tensor[] | undefined;
  readonly outputs?: readonly Tensor[] | undefined;
}

/** Watches inference: must never throw or block (it queues and works off the request path). */
export interface InferenceObserver {
  observe(inference: ObservedInference): void;
  /** True while the principal's inference is throttled after an extraction alarm. */
  throttled(principal: string): boolean;
  /** Prometheus lines appended to /metrics. */
  metricsText(): string;
}

/** A listening gateway. */
export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections, waits for open requests (up to `graceMs`), closes pools. */
  close(graceMs?: number): Promise<void>;
}
