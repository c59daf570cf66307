/**
 * Live drift at the gateway, per served model version and time window:
 * - inputs: the rows of its numeric [rows, features] inputs, against its training data;
 * - outputs: the rows of its numeric outputs, against what the same version outputs on (the
 *   first rows of) its training data — computed once, when the version is first seen, where the
 *   version runs in this process (the embedded model server).
 * References load in the background; until they are there (or when the version has none, or
 * the shapes differ) rows are not kept.
 */
import type { Logger } from '../core/index.js';
import { DriftWindow, type AlertRouter, type WindowReport } from '../monitor/index.js';
import type { ObservedInference } from './gateway/types.js';
import type { LiveReference, MonitorDeps } from './monitoring.js';
import type { Tensor } from './oip/types.js';
import {
  outputLayout,
  outputRows,
  rowsTable,
  sameLayout,
  type OutputLayout,
} from './output-rows.js';

/** The drift part of the gateway monitor. */
export interface LiveDrift {
  observe(inference: ObservedInference): void;
  metricsText(): string;
  close(): void;
}

type Side = 'inputs' | 'outputs';

type Slot =
  | { state: 'loading' }
  | { state: 'off'; why: string }
  | { state: 'on'; window: DriftWindow; layout?: OutputLayout };

const MAX_VERSIONS = 1000;
// Rows of the training data run through the model for the output reference, per request.
const PREDICT_CHUNK = 256;

/** Starts the window timer (unref'd) and returns the drift observer. */
export function liveDrift(deps: MonitorDeps, router: AlertRouter, now: () => number): LiveDrift {
  const config = deps.config.drift;
  const slots: Record<Side, Map<string, Slot>> = { inputs: new Map(), outputs: new Map() };
  const shares: Record<Side, Map<string, number>> = { inputs: new Map(), outputs: new Map() };
  const counts = { inputs: { windows: 0, alerts: 0 }, outputs: { windows: 0, alerts: 0 } };
  const off = (side: Side, key: string, why: string, logger: Logger) => {
    slots[side].set(key, { state: 'off', why });
    logger.info(`live ${side} drift off for a served version`, { version: key, reason: why });
  };
  const window = (reference: LiveReference['table']) =>
    new DriftWindow({
      reference,
      windowMs: config.windowSeconds * 1000,
      minRows: config.minRows,
      maxRows: config.maxRows,
      now,
    });
  const outputsOn = async (
    model: string,
    version: string,
    key: string,
    rows: LiveReference['rows'],
  ) => {
    if (rows.length === 0) {
      off('outputs', key, 'the training data has no numeric rows to predict', deps.logger);
      return;
    }
    const outputs: Tensor[][] = [];
    for (let at = 0; at < rows.length; at += PREDICT_CHUNK) {
      const chunk = rows.slice(at, at + PREDICT_CHUNK);
      const answer = await deps.predict?.(model, version, chunk);
      if (answer === undefined) {
        off('outputs', key, 'the version does not run in this process', deps.logger);
        return;
      }
      outputs.push([...answer]);
    }
    const layout = outputLayout(outputs[0] ?? []);
    if (layout.names.length === 0) {
      off('outputs', key, 'no numeric outputs', deps.logger);
      return;
    }
    const table = rowsTable(
      layout,
      outputs.flatMap((tensors, i) =>
        outputRows(layout, tensors, Math.min(PREDICT_CHUNK, rows.length - i * PREDICT_CHUNK)),
      ),
    );
    slots.outputs.set(key, { state: 'on', window: window(table), layout });
  };
  const load = (model: string, version: string, key: string): void => {
    slots.inputs.set(key, { state: 'loading' });
    slots.outputs.set(key, { state: 'loading' });
    const failed = (side: Side) => (error: unknown) => {
      off(side, key, error instanceof Error ? error.message : String(error), deps.logger);
    };
    const reference = deps.reference?.(model, version) ?? Promise.resolve(undefined);
    reference.then(
      (found) => {
        if (found === undefined) {
          off('inputs', key, 'no training dataset is linked', deps.logger);
          off('outputs', key, 'no training dataset is linked', deps.logger);
          return;
        }
        slots.inputs.set(key, { state: 'on', window: window(found.table) });
        outputsOn(model, version, key, found.rows).catch(failed('outputs'));
      },
      (error: unknown) => {
        failed('inputs')(error);
        failed('outputs')(error);
      },
    );
  };
  const judge = (side: Side, key: string, report: WindowReport): void => {
    counts[side].windows++;
    shares[side].set(key, report.drift.share_drifted);
    const drifted = report.drift.columns.filter((c) => c.drifted).map((c) => c.name);
    deps.logger.info(`live ${side} drift window`, {
      version: key,
      rows: report.rows,
      shareDrifted: report.drift.share_drifted,
      drifted,
    });
    if (!report.drift.dataset_drifted) return;
    counts[side].alerts++;
    const at = key.lastIndexOf('@');
    const against = side === 'inputs' ? 'its training data' : 'its outputs on its training data';
    router.emit({
      kind: side === 'inputs' ? 'drift' : 'output-drift',
      severity: 'warning',
      model: key.slice(0, at),
      version: key.slice(at + 1),
      summary: `${side} of ${key} drifted from ${against}: ${drifted.join(', ')} (${report.rows} rows)`,
      details: {
        side,
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
  };
  const timer = setInterval(
    () => {
      for (const side of ['inputs', 'outputs'] as const) {
        for (const [key, slot] of slots[side]) {
          if (slot.state !== 'on') continue;
          const report = slot.window.tick();
          if (report !== undefined) judge(side, key, report);
        }
      }
    },
    Math.max(200, Math.min(10_000, (config.windowSeconds * 1000) / 4)),
  );
  timer.unref();
  const observeInputs = (key: string, inputs: ObservedInference['inputs']): void => {
    const slot = slots.inputs.get(key);
    if (slot?.state !== 'on') return;
    const input = inputs?.[0];
    if (input?.shape.length !== 2 || typeof input.data[0] !== 'number') return;
    const [rows = 0, width = 0] = input.shape;
    if (width !== slot.window.width) {
      off(
        'inputs',
        key,
        `inputs have ${width} features, the training data ${slot.window.width} numeric columns`,
        deps.logger,
      );
      return;
    }
    const data = input.data as readonly number[];
    for (let r = 0; r < rows; r++) slot.window.add(data.slice(r * width, (r + 1) * width));
  };
  const observeOutputs = (key: string, outputs: ObservedInference['outputs']): void => {
    const slot = slots.outputs.get(key);
    if (slot?.state !== 'on' || slot.layout === undefined || outputs === undefined) return;
    if (!sameLayout(slot.layout, outputs)) return;
    const rows = outputs[0]?.shape[0] ?? 0;
    for (const row of outputRows(slot.layout, outputs, rows)) slot.window.add(row);
  };
  return {
    observe(inference) {
      if (!config.enabled) return;
      const key = `${inference.model}@${inference.version}`;
      if (!slots.inputs.has(key)) {
        if (slots.inputs.size < MAX_VERSIONS) load(inference.model, inference.version, key);
        return;
      }
      observeInputs(key, inference.inputs);
      observeOutputs(key, inference.outputs);
    },
    metricsText() {
      return [
        ...metricLines('', 'inputs', counts.inputs, shares.inputs),
        ...metricLines('_output', 'outputs', counts.outputs, shares.outputs),
      ].join('\n');
    },
    close() {
      clearInterval(timer);
    },
  };
}

// rampart_monitor_drift_* for inputs (as before output drift existed), *_output_drift_* for outputs.
function metricLines(
  prefix: string,
  side: Side,
  count: { windows: number; alerts: number },
  shares: Map<string, number>,
): string[] {
  const name = `rampart_monitor${prefix}_drift`;
  const against = side === 'inputs' ? 'the training data' : 'the outputs on the training data';
  return [
    `# HELP ${name}_windows_total Live ${side} drift windows judged.`,
    `# TYPE ${name}_windows_total counter`,
    `${name}_windows_total ${count.windows}`,
    `# HELP ${name}_alerts_total Windows whose ${side} drifted from ${against}.`,
    `# TYPE ${name}_alerts_total counter`,
    `${name}_alerts_total ${count.alerts}`,
    `# HELP ${name}_share Share of drifted ${side} columns in the last judged window.`,
    `# TYPE ${name}_share gauge`,
    ...[...shares].map(([key, share]) => {
      const at = key.lastIndexOf('@');
      return `${name}_share{model=${JSON.stringify(key.slice(0, at))},version=${JSON.stringify(key.slice(at + 1))}} ${share}`;
    }),
  ];
}
