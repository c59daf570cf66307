export { shapiroWilk, SHAPIRO_MAX_N, normalQuantile, normalUpperTail } from './shapiro.js';
export type { ShapiroResult } from './shapiro.js';
export { PradaDetector } from './prada.js';
export type { PradaOptions, PradaVerdict } from './prada.js';
export { CoverageSignal, coverageReference, MarginSignal, RateSignal } from './signals.js';
export type {
  CoverageOptions,
  CoverageReference,
  MarginOptions,
  RateOptions,
  SignalReading,
} from './signals.js';
export { ExtractionMonitor } from './extraction.js';
export type {
  Alarm,
  ExtractionObservation,
  ExtractionOptions,
  ExtractionSignal,
  SignalAlarm,
} from './extraction.js';
export {
  AlertRouter,
  AuditAlertSink,
  auditEntry,
  extractionAlert,
  LogAlertSink,
  WebhookAlertSink,
} from './alerts.js';
export type { Alert, AlertKind, AlertRouterOptions, AlertSeverity, AlertSink } from './alerts.js';
export { INFERENCE_EVENT_TYPE, RecordBuilder, summarise } from './record.js';
export type {
  FieldRule,
  InferenceData,
  InferenceFacts,
  InferenceRecord,
  MonitorTensor,
  PrivacyMode,
  PrivacyPolicy,
  RecordedTensor,
  TensorSummary,
} from './record.js';
export { BoundedQueue, InferenceQueue } from './queue.js';
export type { BoundedQueueOptions, InferenceQueueOptions, RecordSink } from './queue.js';
export { JsonLinesSink, MemorySink } from './sinks.js';
export type { JsonLinesOptions } from './sinks.js';
export { ExtractionWatch, InferenceLog } from './inference-log.js';
export type { ExtractionWatchOptions, InferenceLogOptions } from './inference-log.js';
export { joinLabels, LABEL_LIMITS, predictedClass } from './labels.js';
export type { DelayedLabel, LabelReport } from './labels.js';
export { DriftWindow } from './live-drift.js';
export type { DriftWindowOptions, WindowReport } from './live-drift.js';
