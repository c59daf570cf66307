/**
 * Extraction detection per principal: PRADA plus the rate, coverage and margin signals, with
 * each principal's state fixed in size and the number of principals capped (least recently
 * seen evicted). Meant to run off the request path, e.g. while the inference queue drains.
 */
import { RampartError } from '../core/index.js';
import { PradaDetector } from './prada.js';
import type { PradaOptions } from './prada.js';
import { CoverageSignal, MarginSignal, RateSignal } from './signals.js';
import type { CoverageOptions, MarginOptions, RateOptions, SignalReading } from './signals.js';

/** The signals an alarm can name. */
export type ExtractionSignal = 'prada' | 'rate' | 'coverage' | 'margin';

/** One signal over its threshold. */
export interface SignalAlarm extends SignalReading {
  readonly signal: ExtractionSignal;
}

/** A principal whose queries look like model extraction. */
export interface Alarm {
  readonly principal: string;
  /** Queries seen from the principal since its state was created. */
  readonly queries: number;
  readonly signals: readonly SignalAlarm[];
}

/** One query as the monitor sees it. */
export interface ExtractionObservation {
  readonly principal: string;
  /** The input features, flattened. */
  readonly input: ArrayLike<number>;
  /** Class scores (probabilities) when the model returns them; feeds the margin signal. */
  readonly outputScores?: ArrayLike<number>;
  readonly predictedClass: string | number;
  /** Milliseconds since the epoch; the monitor's clock when absent. */
  readonly time?: number;
}

/** Which signals run and with what settings; PRADA always runs. */
export interface ExtractionOptions {
  readonly prada?: PradaOptions;
  /** Off unless given: a ceiling only the operator knows. */
  readonly rate?: RateOptions;
  /** Off unless given: needs a benign reference. */
  readonly coverage?: CoverageOptions;
  /** Margin settings; on by default, fed only by queries with scores. */
  readonly margin?: MarginOptions | false;
  /** Principals tracked at once; the least recently seen is evicted beyond it (1000). */
  readonly maxPrincipals?: number;
  readonly now?: () => number;
}

interface PrincipalState {
  readonly prada: PradaDetector;
  readonly rate: RateSignal | undefined;
  readonly coverage: CoverageSignal | undefined;
  readonly margin: MarginSignal | undefined;
  queries: number;
}

/** Per-principal extraction detection with bounded memory. */
export class ExtractionMonitor {
  readonly #options: ExtractionOptions;
  readonly #maxPrincipals: number;
  readonly #now: () => number;
  // Map order is insertion order: re-inserting on each query keeps the LRU at the front.
  readonly #principals = new Map<string, PrincipalState>();
  #evicted = 0;

  /** @throws RAMPART_MONITOR_INVALID for settings out of range. */
  constructor(options: ExtractionOptions = {}) {
    this.#options = options;
    this.#maxPrincipals = options.maxPrincipals ?? 1000;
    if (!Number.isInteger(this.#maxPrincipals) || this.#maxPrincipals < 1) {
      throw new RampartError(
        'RAMPART_MONITOR_INVALID',
        'maxPrincipals must be a positive integer',
        {
          hint: 'See the extraction monitor settings in docs/monitoring.md.',
        },
      );
    }
    this.#now = options.now ?? Date.now;
    // Builds one state now so bad signal settings fail at construction, not on a query.
    this.#create();
  }

  /** Principals currently tracked. */
  get size(): number {
    return this.#principals.size;
  }

  /** Principals evicted to stay under the cap (their history is forgotten). */
  get evicted(): number {
    return this.#evicted;
  }

  /**
   * Observes one query; returns an alarm when a signal read on this query is over threshold
   * (PRADA only on the queries where it tested W, so a principal that stays suspicious alarms
   * once per test, not on every query in between).
   */
  observe(observation: ExtractionObservation): Alarm | undefined {
    const state = this.#state(observation.principal);
    state.queries++;
    const verdict = state.prada.observe(observation.input, observation.predictedClass);
    let alarms = withAlarm(
      undefined,
      'prada',
      verdict && { value: verdict.w, threshold: state.prada.delta, alarm: verdict.alarm },
    );
    alarms = withAlarm(alarms, 'rate', state.rate?.observe(observation.time ?? this.#now()));
    alarms = withAlarm(alarms, 'coverage', state.coverage?.observe(observation.input));
    if (observation.outputScores !== undefined) {
      alarms = withAlarm(alarms, 'margin', state.margin?.observe(observation.outputScores));
    }
    if (alarms === undefined) return undefined;
    return { principal: observation.principal, queries: state.queries, signals: alarms };
  }

  /** Forgets a principal (e.g. after its key is revoked). */
  forget(principal: string): void {
    this.#principals.delete(principal);
  }

  #state(principal: string): PrincipalState {
    let state = this.#principals.get(principal);
    if (state !== undefined) {
      this.#principals.delete(principal);
    } else {
      state = this.#create();
      if (this.#principals.size >= this.#maxPrincipals) {
        const oldest = this.#principals.keys().next();
        if (oldest.done !== true) this.#principals.delete(oldest.value);
        this.#evicted++;
      }
    }
    this.#principals.set(principal, state);
    return state;
  }

  #create(): PrincipalState {
    const o = this.#options;
    return {
      prada: new PradaDetector(o.prada),
      rate: o.rate === undefined ? undefined : new RateSignal(o.rate),
      coverage: o.coverage === undefined ? undefined : new CoverageSignal(o.coverage),
      margin: o.margin === false ? undefined : new MarginSignal(o.margin),
      queries: 0,
    };
  }
}

// Adds a reading that is over its threshold; the list is made only when there is one (most
// queries raise nothing, and this runs for every query).
function withAlarm(
  alarms: SignalAlarm[] | undefined,
  signal: ExtractionSignal,
  reading: SignalReading | undefined,
): SignalAlarm[] | undefined {
  if (reading?.alarm !== true) return alarms;
  const alarm: SignalAlarm = { signal, ...reading };
  if (alarms === undefined) return [alarm];
  alarms.push(alarm);
  return alarms;
}
