/**
 * Alerts from monitoring (drift, extraction, performance) and where they go: the log, a
 * webhook, the audit log. Sinks never throw; failures are counted. The router deduplicates:
 * one alert per (kind, principal or model) per cooldown window.
 */
import type { AuditEventInput } from '../audit/index.js';
import { displayUrl, httpRequest, RampartError } from '../core/index.js';
import type { Logger } from '../core/index.js';
import type { Alarm } from './extraction.js';

/** What an alert is about. */
export type AlertKind = 'drift' | 'output-drift' | 'extraction' | 'performance';

/** How urgent an alert is. */
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** One alert, as every sink receives it. */
export interface Alert {
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  readonly principal?: string;
  readonly model?: string;
  readonly version?: string;
  /** One line for people. */
  readonly summary: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** RFC 3339. */
  readonly time: string;
}

/** A destination for alerts; `send` resolves even when delivery fails. */
export interface AlertSink {
  readonly name: string;
  send(alert: Alert): Promise<void>;
  /** Alerts this sink failed to deliver. */
  readonly failed: number;
}

/** Writes each alert as one structured warning line. */
export class LogAlertSink implements AlertSink {
  readonly name = 'log';
  readonly failed = 0;
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  send(alert: Alert): Promise<void> {
    this.#logger.warn('monitoring alert', { alert });
    return Promise.resolve();
  }
}

/** POSTs each alert as JSON; a non-2xx answer or no answer within `timeoutMs` counts as failed. */
export class WebhookAlertSink implements AlertSink {
  readonly name = 'webhook';
  readonly #url: URL;
  readonly #timeoutMs: number;
  #failed = 0;
  #sent = 0;

  /** @throws RAMPART_MONITOR_INVALID when `url` is not http(s) or the timeout is not positive. */
  constructor(url: string | URL, options: { readonly timeoutMs?: number } = {}) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw new RampartError('RAMPART_MONITOR_INVALID', 'the alert webhook is not an http(s) URL', {
        hint: 'Give the webhook as http(s)://host/path.',
      });
    }
    this.#url = parsed;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    if (!(this.#timeoutMs > 0)) {
      throw new RampartError('RAMPART_MONITOR_INVALID', 'the webhook timeout must be positive', {
        hint: 'Give timeoutMs in milliseconds, e.g. 5000.',
      });
    }
  }

  get failed(): number {
    return this.#failed;
  }

  /** Alerts the webhook accepted with a 2xx answer. */
  get sent(): number {
    return this.#sent;
  }

  async send(alert: Alert): Promise<void> {
    try {
      const answer = await httpRequest(this.#url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.from(JSON.stringify(alert)),
        timeoutMs: this.#timeoutMs,
        maxBytes: 64 * 1024,
        remote: { name: `alert webhook ${displayUrl(this.#url)}` },
      });
      if (answer.status >= 200 && answer.status < 300) this.#sent++;
      else this.#failed++;
    } catch {
      this.#failed++;
    }
  }
}

/** Appends each alert to the audit log through the injected `append` (e.g. AuditLog.append). */
export class AuditAlertSink implements AlertSink {
  readonly name = 'audit';
  readonly #append: (entry: AuditEventInput) => Promise<unknown>;
  #failed = 0;

  constructor(append: (entry: AuditEventInput) => Promise<unknown>) {
    this.#append = append;
  }

  get failed(): number {
    return this.#failed;
  }

  async send(alert: Alert): Promise<void> {
    try {
      await this.#append(auditEntry(alert));
    } catch {
      this.#failed++;
    }
  }
}

/** The audit event for an alert: the monitor flags (does not allow) the named principal or model. */
export function auditEntry(alert: Alert): AuditEventInput {
  const subject =
    alert.principal !== undefined
      ? { type: 'principal', id: alert.principal }
      : { type: 'model', id: modelId(alert) ?? 'unknown' };
  return {
    actor: { subject: 'rampart-monitor', type: 'service' },
    action: `monitor.alert.${alert.kind}`,
    resource: { type: subject.type, id: subject.id.slice(0, 512) },
    decision: { allowed: false, reason: `${alert.severity}: ${alert.summary}`.slice(0, 1024) },
  };
}

/** Routing settings: the sinks and the deduplication window. */
export interface AlertRouterOptions {
  readonly sinks: readonly AlertSink[];
  /** One alert per (kind, principal/model) per this many milliseconds (15 minutes). */
  readonly cooldownMs?: number;
  /** Keys remembered for deduplication; the oldest is forgotten beyond it (10000). */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

/** Fans alerts out to the sinks without blocking the caller, suppressing repeats. */
export class AlertRouter {
  readonly #sinks: readonly AlertSink[];
  readonly #cooldownMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #lastSent = new Map<string, number>();
  readonly #pending = new Set<Promise<void>>();
  #suppressed = 0;

  constructor(options: AlertRouterOptions) {
    this.#sinks = [...options.sinks];
    this.#cooldownMs = options.cooldownMs ?? 15 * 60_000;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Alerts dropped as repeats within the cooldown. */
  get suppressed(): number {
    return this.#suppressed;
  }

  /**
   * True when an alert of this kind about this principal and model would be suppressed now; a
   * caller can skip building it (and it is counted as suppressed).
   */
  suppresses(about: Pick<Alert, 'kind' | 'principal' | 'model' | 'version'>): boolean {
    if (!this.#cooling(alertKey(about), this.#now())) return false;
    this.#suppressed++;
    return true;
  }

  /** Sends `alert` to every sink unless its key alerted within the cooldown; true when sent. */
  emit(alert: Alert): boolean {
    const key = alertKey(alert);
    const now = this.#now();
    if (this.#cooling(key, now)) {
      this.#suppressed++;
      return false;
    }
    this.#lastSent.delete(key);
    if (this.#lastSent.size >= this.#maxKeys) {
      const oldest = this.#lastSent.keys().next();
      if (oldest.done !== true) this.#lastSent.delete(oldest.value);
    }
    this.#lastSent.set(key, now);
    for (const sink of this.#sinks) {
      const delivery = sink.send(alert).finally(() => this.#pending.delete(delivery));
      this.#pending.add(delivery);
    }
    return true;
  }

  #cooling(key: string, now: number): boolean {
    const last = this.#lastSent.get(key);
    return last !== undefined && now - last < this.#cooldownMs;
  }

  /** Waits for every delivery in flight. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}

/** The alert for an extraction alarm. */
export function extractionAlert(
  alarm: Alarm,
  context: { readonly model?: string; readonly version?: string; readonly time?: Date } = {},
): Alert {
  const names = alarm.signals.map((s) => s.signal).join(', ');
  return {
    kind: 'extraction',
    severity: alarm.signals.some((s) => s.signal === 'prada') ? 'critical' : 'warning',
    principal: alarm.principal,
    ...(context.model === undefined ? {} : { model: context.model }),
    ...(context.version === undefined ? {} : { version: context.version }),
    summary: `possible model extraction by ${alarm.principal} after ${alarm.queries} queries (${names})`,
    details: { queries: alarm.queries, signals: alarm.signals },
    time: (context.time ?? new Date()).toISOString(),
  };
}

function alertKey(alert: Pick<Alert, 'kind' | 'principal' | 'model' | 'version'>): string {
  return `${alert.kind}\u0000${alert.principal ?? ''}\u0000${modelId(alert) ?? ''}`;
}

function modelId(alert: Pick<Alert, 'model' | 'version'>): string | undefined {
  if (alert.model === undefined) return undefined;
  return alert.version === undefined ? alert.model : `${alert.model}@${alert.version}`;
}
