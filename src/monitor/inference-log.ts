/**
 * What the gateway calls once per request: build the record under the privacy policy and
 * offer it to the queue, and hand the query to extraction detection — synchronously, never
 * awaiting and never throwing. Detection itself runs in the watch's drain, off the request path.
 */
import { BoundedQueue } from './queue.js';
import type { BoundedQueueOptions, InferenceQueue } from './queue.js';
import { extractionAlert } from './alerts.js';
import type { AlertRouter } from './alerts.js';
import type { Alarm, ExtractionMonitor, ExtractionObservation } from './extraction.js';
import type { InferenceFacts, RecordBuilder } from './record.js';

/** The log's parts, built by the caller from configuration. */
export interface InferenceLogOptions {
  readonly builder: RecordBuilder;
  readonly queue: InferenceQueue;
}

/** Records one inference per call; `failed` counts records that could not be built. */
export class InferenceLog {
  readonly #builder: RecordBuilder;
  readonly #queue: InferenceQueue;
  #failed = 0;

  constructor(options: InferenceLogOptions) {
    this.#builder = options.builder;
    this.#queue = options.queue;
  }

  /** Records that could not be built (e.g. a tensor value JSON cannot carry). */
  get failed(): number {
    return this.#failed;
  }

  /** Builds and enqueues the record; false when it was dropped or could not be built. */
  log(facts: InferenceFacts): boolean {
    try {
      return this.#queue.offer(this.#builder.build(facts));
    } catch {
      this.#failed++;
      return false;
    }
  }
}

/** Settings of an {@link ExtractionWatch}. */
export interface ExtractionWatchOptions extends BoundedQueueOptions {
  readonly monitor: ExtractionMonitor;
  /** Receives an extraction alert per alarm (the router deduplicates). */
  readonly router?: AlertRouter;
  /** Called on every alarm, e.g. to throttle the principal's key at the gateway. */
  readonly onAlarm?: (alarm: Alarm) => void;
  /** Model and version named in alerts. */
  readonly model?: string;
  readonly version?: string;
}

/** Feeds queries to an {@link ExtractionMonitor} in batches off the request path. */
export class ExtractionWatch {
  readonly #queue: BoundedQueue<ExtractionObservation>;
  #alarms = 0;

  constructor(options: ExtractionWatchOptions) {
    const { monitor, router, onAlarm } = options;
    const context = {
      ...(options.model === undefined ? {} : { model: options.model }),
      ...(options.version === undefined ? {} : { version: options.version }),
    };
    this.#queue = new BoundedQueue<ExtractionObservation>((batch) => {
      for (const observation of batch) {
        const alarm = monitor.observe(observation);
        if (alarm === undefined) continue;
        this.#alarms++;
        const about = { kind: 'extraction', principal: alarm.principal, ...context } as const;
        if (router !== undefined && !router.suppresses(about)) {
          router.emit(extractionAlert(alarm, context));
        }
        try {
          onAlarm?.(alarm);
        } catch {
          // A failing callback must not stop detection for the rest of the batch.
        }
      }
      return Promise.resolve();
    }, options);
  }

  /** Observations that raised an alarm. */
  get alarms(): number {
    return this.#alarms;
  }

  /** Observations dropped because the watch's queue was full. */
  get dropped(): number {
    return this.#queue.dropped;
  }

  /** Enqueues one query without blocking; false when dropped. */
  offer(observation: ExtractionObservation): boolean {
    return this.#queue.offer(observation);
  }

  /** Waits until every query offered so far has been observed. */
  flush(): Promise<void> {
    return this.#queue.flush();
  }
}
