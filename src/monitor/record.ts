/**
 * The inference record: one CloudEvents 1.0 structured JSON event per request, with inputs
 * and outputs kept, summarised, hashed, redacted or left out according to the privacy mode.
 */
import { createHmac } from 'node:crypto';
import { canonicalBytes, isoNow, RampartError } from '../core/index.js';

/** The part of an OIP v2 tensor the monitor reads (monitor sits below serving). */
export interface MonitorTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data: readonly (number | string | boolean)[];
}

/** How much of a payload a record keeps. */
export type PrivacyMode = 'none' | 'summary' | 'hashed' | 'redacted' | 'full';

/** What `redacted` mode does with one tensor. */
export type FieldRule = 'keep' | 'hash' | 'drop';

/** The privacy policy; the salt keys the hashes and never appears in a record. */
export interface PrivacyPolicy {
  readonly mode: PrivacyMode;
  /** Required for `hashed`, and for `redacted` with a `hash` rule; at least 16 bytes. */
  readonly salt?: Uint8Array | string;
  /** Names the salt in records, so hashes stay comparable across a rotation. */
  readonly saltId?: string;
  /** `redacted` mode: rule per tensor name; unnamed tensors are dropped. */
  readonly fields?: Readonly<Record<string, FieldRule>>;
}

/** Numeric facts about one tensor, without its values. */
export interface TensorSummary {
  readonly count: number;
  /** Numbers and booleans (as 0/1): finite values only. */
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  /** Strings: mean length in UTF-16 units. */
  readonly mean_length?: number;
}

/** A tensor as recorded: metadata always, then data, a summary or a keyed hash. */
export interface RecordedTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data?: readonly (number | string | boolean)[];
  readonly summary?: TensorSummary;
  /** HMAC-SHA-256 (keyed by the salt) of the RFC 8785 JSON of {data, datatype, shape}, hex. */
  readonly hmac_sha256?: string;
}

/** The event's data member. */
export interface InferenceData {
  readonly request_id: string;
  readonly model: string;
  readonly version: string;
  readonly principal: string;
  readonly latency_ms: number;
  /** The HTTP status the gateway answered with. */
  readonly status: number;
  readonly privacy: { readonly mode: PrivacyMode; readonly salt_id?: string };
  readonly inputs?: readonly RecordedTensor[];
  readonly outputs?: readonly RecordedTensor[];
  /** The predicted class, when the gateway knows it; joins delayed labels. */
  readonly predicted?: string | number;
}

/** A CloudEvents 1.0 structured-mode event carrying one inference. */
export interface InferenceRecord {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: typeof INFERENCE_EVENT_TYPE;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly subject: string;
  readonly data: InferenceData;
}

/** The CloudEvents `type` of inference records. */
export const INFERENCE_EVENT_TYPE = 'dev.rampart.inference.v1';

/** What the gateway knows about one request. */
export interface InferenceFacts {
  readonly requestId: string;
  readonly model: string;
  readonly version: string;
  readonly principal: string;
  readonly latencyMs: number;
  readonly status: number;
  readonly inputs?: readonly MonitorTensor[] | undefined;
  readonly outputs?: readonly MonitorTensor[] | undefined;
  readonly predicted?: string | number | undefined;
  readonly time?: Date;
}

/** Builds records under one source and privacy policy. */
export class RecordBuilder {
  readonly #source: string;
  readonly #policy: PrivacyPolicy;
  readonly #key: Buffer | undefined;

  /**
   * @param source CloudEvents source, e.g. `rampart://gateway/<instance>`.
   * @throws RAMPART_MONITOR_INVALID for an unknown mode, or a missing or short salt when hashing.
   */
  constructor(source: string, policy: PrivacyPolicy) {
    if (!['none', 'summary', 'hashed', 'redacted', 'full'].includes(policy.mode)) {
      throw invalid(`unknown privacy mode ${JSON.stringify(policy.mode)}`);
    }
    const hashes =
      policy.mode === 'hashed' ||
      (policy.mode === 'redacted' && Object.values(policy.fields ?? {}).includes('hash'));
    this.#key = policy.salt === undefined ? undefined : Buffer.from(policy.salt);
    if (hashes && (this.#key === undefined || this.#key.length < 16)) {
      throw invalid(`privacy mode ${policy.mode} needs a salt of at least 16 bytes`);
    }
    this.#source = source;
    this.#policy = { ...policy, fields: { ...policy.fields } };
  }

  /** The record for one request. */
  build(facts: InferenceFacts): InferenceRecord {
    const { mode, saltId } = this.#policy;
    // Built field by field (no spreads): the gateway builds one record per request.
    const data: Mutable<InferenceData> = {
      request_id: facts.requestId,
      model: facts.model,
      version: facts.version,
      principal: facts.principal,
      latency_ms: facts.latencyMs,
      status: facts.status,
      privacy: saltId === undefined || mode === 'none' ? { mode } : { mode, salt_id: saltId },
    };
    if (mode !== 'none') {
      if (facts.inputs !== undefined) data.inputs = this.#tensors(facts.inputs);
      if (facts.outputs !== undefined) data.outputs = this.#tensors(facts.outputs);
    }
    if (facts.predicted !== undefined) data.predicted = facts.predicted;
    return {
      specversion: '1.0',
      id: facts.requestId,
      source: this.#source,
      type: INFERENCE_EVENT_TYPE,
      time: facts.time === undefined ? isoNow() : facts.time.toISOString(),
      datacontenttype: 'application/json',
      subject: `${facts.model}@${facts.version}`,
      data,
    };
  }

  #tensors(tensors: readonly MonitorTensor[]): RecordedTensor[] {
    const out: RecordedTensor[] = [];
    for (const t of tensors) out.push(this.#tensor(t));
    return out;
  }

  #tensor(t: MonitorTensor): RecordedTensor {
    const { name, datatype, shape } = t;
    switch (this.#policy.mode) {
      case 'summary':
        return { name, datatype, shape, summary: summarise(t.data) };
      case 'hashed':
        return { name, datatype, shape, hmac_sha256: this.#hash(t) };
      case 'full':
        return { name, datatype, shape, data: t.data };
      case 'none':
      case 'redacted': {
        const rule = this.#policy.fields?.[t.name] ?? 'drop';
        if (rule === 'keep') return { name, datatype, shape, data: t.data };
        if (rule === 'hash') return { name, datatype, shape, hmac_sha256: this.#hash(t) };
        return { name, datatype, shape };
      }
    }
  }

  #hash(t: MonitorTensor): string {
    const bytes = canonicalBytes({ data: t.data, datatype: t.datatype, shape: t.shape });
    return createHmac('sha256', this.#key ?? Buffer.alloc(0))
      .update(bytes)
      .digest('hex');
  }
}

/** Count, min, max and mean of numbers (booleans as 0/1); count and mean length of strings. */
export function summarise(data: readonly (number | string | boolean)[]): TensorSummary {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  let strings = 0;
  let length = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === 'string') {
      strings++;
      length += v.length;
      continue;
    }
    const x = typeof v === 'boolean' ? Number(v) : (v as number);
    if (!Number.isFinite(x)) continue;
    finite++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const summary: Mutable<TensorSummary> = { count: data.length };
  if (finite > 0) {
    summary.min = min;
    summary.max = max;
    summary.mean = sum / finite;
  }
  if (strings > 0) summary.mean_length = length / strings;
  return summary;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function invalid(message: string): RampartError {
  return new RampartError('RAMPART_MONITOR_INVALID', message, {
    hint: 'Set the inference log privacy mode and salt as docs/monitoring.md describes.',
  });
}
