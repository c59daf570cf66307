/**
 * Gateway metrics in Prometheus text exposition. Labels take only bounded values: served
 * model names and versions as the router resolved them (never a name from an unmatched
 * path), fixed rejection reasons, upstream keys. Nothing about callers appears here.
 */

/** Why a request was refused before it could be answered by a model. */
export type RejectionReason =
  | 'method'
  | 'path'
  | 'not_found'
  | 'overload'
  | 'auth'
  | 'forbidden'
  | 'ratelimit'
  | 'concurrency'
  | 'limit_backend'
  | 'size'
  | 'media_type'
  | 'json'
  | 'schema'
  | 'unavailable'
  | 'upstream'
  | 'throttled';

// Seconds; the OTel HTTP buckets with two finer ones for sub-millisecond hops.
const BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

interface Histogram {
  readonly counts: number[];
  sum: number;
  count: number;
}

/** One model version's series: its label text, requests by status, and its latency. */
interface Series {
  readonly labels: string;
  readonly byStatus: Map<number, number>;
  readonly latency: Histogram | undefined;
}

/** Counters and histograms for one gateway. */
export class GatewayMetrics {
  // Keyed by model and version: the label text is escaped once per series, not per request.
  readonly #series = new Map<string, Series>();
  readonly #rejections = new Map<RejectionReason, number>();

  /** Counts one answered request; `model`/`version` are '' when no route was resolved. */
  request(model: string, version: string, status: number, seconds: number): void {
    const key = `${model}\u0000${version}`;
    let series = this.#series.get(key);
    if (series === undefined) {
      series = {
        labels: `model="${escape(model)}",version="${escape(version)}"`,
        byStatus: new Map(),
        latency: model === '' ? undefined : { counts: BUCKETS.map(() => 0), sum: 0, count: 0 },
      };
      this.#series.set(key, series);
    }
    series.byStatus.set(status, (series.byStatus.get(status) ?? 0) + 1);
    const histogram = series.latency;
    if (histogram === undefined) return;
    for (let i = 0; i < BUCKETS.length; i++) {
      if (seconds <= (BUCKETS[i] as number)) histogram.counts[i] = (histogram.counts[i] ?? 0) + 1;
    }
    histogram.sum += seconds;
    histogram.count++;
  }

  /** Counts one refusal. */
  reject(reason: RejectionReason): void {
    this.#rejections.set(reason, (this.#rejections.get(reason) ?? 0) + 1);
  }

  /** The exposition text; `inFlight` and `upstreams` are the current gauges. */
  render(inFlight: number, upstreams: Iterable<[string, number]>): string {
    const lines: string[] = [
      '# HELP rampart_gateway_requests_total Requests answered, by model, version and status.',
      '# TYPE rampart_gateway_requests_total counter',
    ];
    for (const { labels, byStatus } of this.#series.values()) {
      for (const [status, value] of byStatus) {
        lines.push(`rampart_gateway_requests_total{${labels},status="${status}"} ${value}`);
      }
    }
    lines.push(
      '# HELP rampart_gateway_request_duration_seconds Time from request to answer, per model version.',
      '# TYPE rampart_gateway_request_duration_seconds histogram',
    );
    for (const { labels, latency: h } of this.#series.values()) {
      if (h === undefined) continue;
      for (const [i, bound] of BUCKETS.entries()) {
        const le = String(bound);
        lines.push(
          `rampart_gateway_request_duration_seconds_bucket{${labels},le="${le}"} ${h.counts[i] ?? 0}`,
        );
      }
      lines.push(
        `rampart_gateway_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`,
        `rampart_gateway_request_duration_seconds_sum{${labels}} ${h.sum}`,
        `rampart_gateway_request_duration_seconds_count{${labels}} ${h.count}`,
      );
    }
    lines.push(
      '# HELP rampart_gateway_rejections_total Requests refused by the gateway, by reason.',
      '# TYPE rampart_gateway_rejections_total counter',
    );
    for (const [reason, value] of this.#rejections) {
      lines.push(`rampart_gateway_rejections_total{reason="${reason}"} ${value}`);
    }
    lines.push(
      '# HELP rampart_gateway_in_flight Requests being handled.',
      '# TYPE rampart_gateway_in_flight gauge',
      `rampart_gateway_in_flight ${inFlight}`,
      '# HELP rampart_gateway_upstream_in_flight Requests forwarded and not yet answered, per upstream.',
      '# TYPE rampart_gateway_upstream_in_flight gauge',
    );
    for (const [upstream, value] of upstreams) {
      lines.push(`rampart_gateway_upstream_in_flight{upstream="${escape(upstream)}"} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
