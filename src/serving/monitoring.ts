/**
 * The gateway's inference monitor (monitor.* in rampart.yaml): one CloudEvents record per
 * request into a bounded queue and a JSON-lines log, per-model extraction detection (PRADA and
 * friends) fed off the request path, alerts to the log, the audit log and an optional webhook,
 * and an optional throttle of a principal whose queries raised an extraction alarm. Nothing
 * here can block or fail a request: queues drop and count when full.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { readTextIfExists, writeFileAtomic, type Logger } from '../core/index.js';
import type { AuditLog } from '../audit/index.js';
import {
  AlertRouter,
  AuditAlertSink,
  ExtractionMonitor,
  ExtractionWatch,
  InferenceLog,
  InferenceQueue,
  JsonLinesSink,
  LogAlertSink,
  RecordBuilder,
  WebhookAlertSink,
  type AlertSink,
  type PrivacyPolicy,
} from '../monitor/index.js';
import type { CollectedTable } from '../data/index.js';
import type { Tensor } from './oip/types.js';
import { liveDrift } from './live-drift.js';
import type { InferenceObserver, ObservedInference } from './gateway/types.js';

/** An inference observer with its resources; close() flushes the log. */
export interface GatewayMonitor extends InferenceObserver {
  close(): Promise<void>;
}

/** A served version's training data, as live drift uses it. */
export interface LiveReference {
  /** Every value of every column (bounded), for the input tests. */
  readonly table: CollectedTable;
  /** The first rows of its numeric columns, in order: inputs to predict the reference outputs. */
  readonly rows: readonly (readonly number[])[];
}

/** Where the monitor writes and whom it tells. */
export interface MonitorDeps {
  readonly config: Config['monitor'];
  readonly home: string;
  readonly logger: Logger;
  readonly audit: AuditLog;
  /** CloudEvents `source` of the records. */
  readonly source: string;
  /** The training data of a served version, for live drift (undefined: none linked). */
  readonly reference?: (model: string, version: string) => Promise<LiveReference | undefined>;
  /**
   * Runs a served version on rows of its input features (output drift's reference: its outputs
   * on its training data); undefined when it cannot run here (an upstream over HTTP).
   */
  readonly predict?: (
    model: string,
    version: string,
    rows: readonly (readonly number[])[],
  ) => Promise<readonly Tensor[] | undefined>;
  readonly now?: () => number;
}

const MAX_WATCHED_MODELS = 1000;
// Throttles remembered at once; expired ones are forgotten when the map is this full.
const MAX_THROTTLED = 10_000;

function forgetExpired(until: Map<string, number>, now: number): void {
  for (const [principal, end] of until) if (end <= now) until.delete(principal);
}

// Records and queries wait up to this long to be written or examined together.
const LINGER_MS = 20;
// Work done per turn of the event loop, so requests arriving meanwhile wait well under a
// millisecond: queries examined (~2 µs each, more when a PRADA test falls in the slice) and
// records serialised for the log (~5 µs each).
const EXTRACTION_SLICE = 32;
const RECORD_SLICE = 64;

/**
 * Starts the monitor, or returns undefined when monitor.enabled is false.
 * @throws RAMPART_MONITOR_INVALID for a privacy policy that cannot work (e.g. no salt).
 */
export async function startMonitor(deps: MonitorDeps): Promise<GatewayMonitor | undefined> {
  const { config } = deps;
  if (!config.enabled) return undefined;
  const now = deps.now ?? Date.now;
  const logFile = path.resolve(deps.home, config.logFile);
  await mkdir(path.dirname(logFile), { recursive: true, mode: 0o700 });
  const builder = new RecordBuilder(deps.source, await privacyPolicy(config, deps.home));
  const queue = new InferenceQueue({
    sinks: [new JsonLinesSink(logFile, { maxBytes: config.logMaxBytes })],
    capacity: config.queueCapacity,
    lingerMs: LINGER_MS,
    batchSize: RECORD_SLICE,
  });
  const log = new InferenceLog({ builder, queue });
  const sinks: AlertSink[] = [
    new LogAlertSink(deps.logger),
    new AuditAlertSink((entry) => deps.audit.append(entry)),
  ];
  if (config.alerts.webhook !== null) sinks.push(new WebhookAlertSink(config.alerts.webhook));
  const router = new AlertRouter({ sinks, cooldownMs: config.alerts.cooldownSeconds * 1000, now });
  const throttledUntil = new Map<string, number>();
  const drift = liveDrift(deps, router, now);
  const watches = new Map<string, ExtractionWatch>();
  const watchFor = (model: string): ExtractionWatch | undefined => {
    let watch = watches.get(model);
    if (watch === undefined && watches.size < MAX_WATCHED_MODELS) {
      watch = new ExtractionWatch({
        monitor: new ExtractionMonitor({ prada: { delta: config.extraction.delta }, now }),
        router,
        model,
        lingerMs: LINGER_MS,
        batchSize: EXTRACTION_SLICE,
        onAlarm: (alarm) => {
          if (config.extraction.throttle) {
            if (throttledUntil.size >= MAX_THROTTLED) forgetExpired(throttledUntil, now());
            throttledUntil.set(alarm.principal, now() + config.extraction.throttleSeconds * 1000);
          }
        },
      });
      watches.set(model, watch);
    }
    return watch;
  };
  return {
    observe(inference: ObservedInference): void {
      log.log({
        requestId: inference.requestId,
        model: inference.model,
        version: inference.version,
        principal: inference.principal,
        latencyMs: inference.latencyMs,
        status: inference.status,
        inputs: inference.inputs,
        outputs: inference.outputs,
        predicted: predictedOf(inference.outputs),
      });
      if (inference.status === 200) drift.observe(inference);
      if (config.extraction.enabled && inference.status === 200) {
        const watch = watchFor(inference.model);
        if (watch !== undefined) {
          for (const query of queries(inference)) watch.offer(query);
        }
      }
    },
    throttled(principal: string): boolean {
      const until = throttledUntil.get(principal);
      if (until === undefined) return false;
      if (until > now()) return true;
      throttledUntil.delete(principal);
      return false;
    },
    metricsText(): string {
      let alarms = 0;
      let dropped = 0;
      for (const watch of watches.values()) {
        alarms += watch.alarms;
        dropped += watch.dropped;
      }
      return [
        '# HELP rampart_monitor_records_dropped_total Inference records dropped (queue full).',
        '# TYPE rampart_monitor_records_dropped_total counter',
        `rampart_monitor_records_dropped_total ${queue.dropped}`,
        '# HELP rampart_monitor_sink_failures_total Failed writes of inference records.',
        '# TYPE rampart_monitor_sink_failures_total counter',
        `rampart_monitor_sink_failures_total ${queue.sinkFailures}`,
        '# HELP rampart_monitor_extraction_alarms_total Extraction alarms raised.',
        '# TYPE rampart_monitor_extraction_alarms_total counter',
        `rampart_monitor_extraction_alarms_total ${alarms}`,
        '# HELP rampart_monitor_extraction_dropped_total Queries not examined (queue full).',
        '# TYPE rampart_monitor_extraction_dropped_total counter',
        `rampart_monitor_extraction_dropped_total ${dropped}`,
        '# HELP rampart_monitor_throttled_principals Principals throttled after an alarm.',
        '# TYPE rampart_monitor_throttled_principals gauge',
        `rampart_monitor_throttled_principals ${throttledUntil.size}`,
        drift.metricsText(),
        '',
      ].join('\n');
    },
    async close(): Promise<void> {
      drift.close();
      for (const watch of watches.values()) await watch.flush();
      await router.flush();
      await queue.close();
    },
  };
}

// The salt of hashed records lives beside the keys (0600), made on first use; never in records.
async function privacyPolicy(config: Config['monitor'], home: string): Promise<PrivacyPolicy> {
  const needsSalt =
    config.privacy === 'hashed' ||
    (config.privacy === 'redacted' && Object.values(config.fields).includes('hash'));
  if (!needsSalt) return { mode: config.privacy, fields: config.fields };
  const file = path.join(home, 'keys', 'monitor.salt');
  let salt = (await readTextIfExists(file))?.trim();
  if (salt === undefined || salt === '') {
    salt = randomBytes(32).toString('hex');
    await writeFileAtomic(file, `${salt}\n`, { mode: 0o600, exclusive: false });
  }
  const saltId = createHash('sha256').update(salt).digest('hex').slice(0, 16);
  return { mode: config.privacy, fields: config.fields, salt, saltId };
}

// A classifier's rows: a 2-D float output is class scores (argmax = the class); else a 1-D label.
function scoresOf(outputs: readonly Tensor[] | undefined): Tensor | undefined {
  return outputs?.find(
    (t) => t.shape.length === 2 && (t.datatype === 'FP32' || t.datatype === 'FP64'),
  );
}

function predictedOf(outputs: readonly Tensor[] | undefined): number | string | undefined {
  const scores = scoresOf(outputs);
  if (scores !== undefined && scores.shape[0] === 1) {
    return argmax(scores.data as readonly number[], 0, scores.shape[1] ?? 0);
  }
  const label = outputs?.find((t) => t.shape.length === 1 && t.shape[0] === 1);
  const value = label?.data[0];
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

function argmax(data: readonly number[], start: number, width: number): number {
  let best = 0;
  for (let k = 1; k < width; k++) if ((data[start + k] ?? 0) > (data[start + best] ?? 0)) best = k;
  return best;
}

// Each row of a [rows, features] numeric input is one query of the principal.
function* queries(inference: ObservedInference) {
  const input = inference.inputs?.[0];
  const scores = scoresOf(inference.outputs);
  if (input?.shape.length !== 2 || scores === undefined) return;
  const [rows = 0, features = 0] = input.shape;
  const width = scores.shape[1] ?? 0;
  if (scores.shape[0] !== rows || typeof input.data[0] !== 'number') return;
  const data = input.data as readonly number[];
  const out = scores.data as readonly number[];
  for (let r = 0; r < rows; r++) {
    yield {
      principal: inference.principal,
      input: data.slice(r * features, (r + 1) * features),
      outputScores: out.slice(r * width, (r + 1) * width),
      predictedClass: argmax(out, r * width, width),
    };
  }
}
