export { DEFAULT_LIMITS, LimitExceeded } from './context.js';
export type { FormatScanner, ScanContext, ScanLimits } from './context.js';
export { scanPaths, scanSource } from './engine.js';
export type { ScanOptions } from './engine.js';
export { RULES } from './rules.js';
export type { RuleId, RuleSpec } from './rules.js';
export { toSarif } from './sarif.js';
export { BufferSource, FileSource, SliceSource } from './source.js';
export type { ByteSource } from './source.js';
export { renderText, summaryLine } from './text.js';
export { SEVERITIES, atLeast } from './types.js';
export type {
  Finding,
  FindingInput,
  Format,
  Location,
  Problem,
  ScannedItem,
  ScanReport,
  Severity,
} from './types.js';
export { DEFAULT_FAIL_ON, verdict, verdictName } from './verdict.js';
export type { Verdict } from './verdict.js';
export { scanZip } from './containers/index.js';
