/**
 * Live drift at the gateway: one window per served model version, fed with the rows of its
 * numeric [rows, features] inputs, judged against the version's training data when it closes.
 * The reference is loaded once per version, in the background; until it is there (or when the
 * version has none, or its width differs) rows are not kept.
 */
import type { Logger } from '../core/index.js';
import { DriftWindow, type AlertRouter } from '../monitor/index.js';
import type { ObservedInference } from './gateway/types.js';
import type { MonitorDeps } from './monitoring.js';

/** The drift part of the gateway monitor. */
export interface LiveDrift {
  observe(inference: ObservedInference): void;
  metricsText(): string;
  close(): void;
}

type Slot =
  { state: 'loading' } | { state: 'off'; why: string } | { state: 'on'; window: DriftWindow };

const MAX_VERSIONS = 1000;

/** Starts the window timer (unref'd) and returns the drift observer. */
export function liveDrift(deps: MonitorDeps, router: AlertRouter, now: () => number): LiveDrift {
  const config = deps.config.drift;
  const slots = new Map<string, Slot>();
  const shares = new Map<string, number>();
  let windows = 0;
  let alerts = 0;
  const off = (key: string, why: string, logger: Logger) => {
    slots.set(key, { state: 'off', why });
    logger.info('live drift off for a served version', { version: key, reason: why });
  };
  const load = (model: string, version: string, key: string): void => {
    slots.set(key, { state: 'loading' });
    const reference = deps.reference?.(model, version) ?? Promise.resolve(undefined);
    reference.then(
      (table) => {
        if (table === undefined) off(key, 'no training dataset is linked', deps.logger);
        else
          slots.set(key, {
            state: 'on',
            window: new DriftWindow({
              reference: table,
              windowMs: config.windowSeconds * 1000,
              minRows: config.minRows,
              maxRows: config.maxRows,
              now,
            }),
          });
      },
      (error: unknown) => {
        off(key, error instanceof Error ? error.message : String(error), deps.logger);
      },
    );
  };
  const timer = setInterval(
    () => {
      for (const [key, slot] of slots) {
        if (slot.state !== 'on') continue;
        const report = slot.window.tick();
        if (report === undefined) continue;
        windows++;
        shares.set(key, report.drift.share_drifted);
        const drifted = report.drift.columns.filter((c) => c.drifted).map((c) => c.name);
        deps.logger.info('live drift window', {
          version: key,
          rows: report.rows,
          shareDrifted: report.drift.share_drifted,
          drifted,
        });
        if (!report.drift.dataset_drifted) continue;
        alerts++;
        const at = key.lastIndexOf('@');
        router.emit({
          kind: 'drift',
          severity: 'warning',
          model: key.slice(0, at),
          version: key.slice(at + 1),
          summary: `inputs of ${key} drifted from its training data: ${drifted.join(', ')} (${report.rows} rows)`,
          details: {
            start: new Date(report.start).toISOString(),
            end: new Date(report.end).toISOString(),
            rows: report.rows,
            skipped: report.skipped,
            share_drifted: report.drift.share_drifted,
            columns: report.drift.columns.map((c) => ({
              name: c.name,
              test: c.test,
              score: c.score,
              drifted: c.drifted,
            })),
          },
          time: new Date(report.end).toISOString(),
        });
      }
    },
    Math.max(200, Math.min(10_000, (config.windowSeconds * 1000) / 4)),
  );
  timer.unref();
  return {
    observe(inference) {
      if (!config.enabled) return;
      const key = `${inference.model}@${inference.version}`;
      const slot = slots.get(key);
      if (slot === undefined) {
        if (slots.size < MAX_VERSIONS) load(inference.model, inference.version, key);
        return;
      }
      if (slot.state !== 'on') return;
      const input = inference.inputs?.[0];
      if (input?.shape.length !== 2 || typeof input.data[0] !== 'number') return;
      const [rows = 0, width = 0] = input.shape;
      if (width !== slot.window.width) {
        off(
          key,
          `inputs have ${width} features, the training data ${slot.window.width} numeric columns`,
          deps.logger,
        );
        return;
      }
      const data = input.data as readonly number[];
      for (let r = 0; r < rows; r++) slot.window.add(data.slice(r * width, (r + 1) * width));
    },
    metricsText() {
      const lines = [
        '# HELP rampart_monitor_drift_windows_total Live drift windows judged.',
        '# TYPE rampart_monitor_drift_windows_total counter',
        `rampart_monitor_drift_windows_total ${windows}`,
        '# HELP rampart_monitor_drift_alerts_total Windows whose inputs drifted from the training data.',
        '# TYPE rampart_monitor_drift_alerts_total counter',
        `rampart_monitor_drift_alerts_total ${alerts}`,
        '# HELP rampart_monitor_drift_share Share of drifted columns in the last judged window.',
        '# TYPE rampart_monitor_drift_share gauge',
        ...[...shares].map(([key, share]) => {
          const at = key.lastIndexOf('@');
          return `rampart_monitor_drift_share{model=${JSON.stringify(key.slice(0, at))},version=${JSON.stringify(key.slice(at + 1))}} ${share}`;
        }),
      ];
      return lines.join('\n');
    },
    close() {
      clearInterval(timer);
    },
  };
}
