/**
 * The scanner's vocabulary: severities, findings, problems and the report. A finding says
 * "this artefact would do something dangerous when loaded"; a problem says "this part could
 * not be scanned". Findings always outrank problems (scanners.md §3).
 */
import type { RuleId } from './rules.js';

/** Severities, lowest first. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** True when `severity` is at or above `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(threshold);
}

/** Formats the scanner recognises by content. */
export type Format =
  | 'pickle'
  | 'torch-legacy'
  | 'zip'
  | 'numpy'
  | 'compressed'
  | 'hdf5'
  | 'savedmodel'
  | 'onnx'
  | 'safetensors'
  | 'gguf'
  | 'json'
  | 'yaml'
  | 'template'
  | 'sevenzip'
  | 'text'
  | 'unknown';

/** Where something is: the file on disk, then the chain of archive members inside it. */
export interface Location {
  readonly file: string;
  /** Archive members, outermost first (`["archive/data.pkl"]`); empty for the file itself. */
  readonly members: readonly string[];
}

/** What a format scanner reports; the engine adds the location. */
export interface FindingInput {
  readonly rule: RuleId;
  /** Defaults to the rule's severity. */
  readonly severity?: Severity;
  /** One sentence: what is dangerous and why. */
  readonly message: string;
  /** Byte offset inside the innermost member (or the file). */
  readonly offset?: number;
  /** The resolved callable, `module.qualname`, for code-execution findings. */
  readonly callable?: string;
  /** The failed check, for structural findings (e.g. `safetensors.offsets-overlap`). */
  readonly check?: string;
  /** A short decompiled or quoted form of the dangerous construct. */
  readonly evidence?: string;
}

/** A finding with its location. */
export interface Finding extends Location {
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly message: string;
  readonly offset?: number;
  readonly callable?: string;
  readonly check?: string;
  readonly evidence?: string;
}

/** A part of an artefact that could not be scanned (truncated, malformed, over a limit). */
export interface Problem extends Location {
  /** Stable kebab-case code, e.g. `pickle-truncated`, `zip-encrypted`. */
  readonly code: string;
  readonly message: string;
  readonly offset?: number;
}

/** One thing that was scanned: a file or a member, with the formats its bytes sniffed as. */
export interface ScannedItem extends Location {
  readonly formats: readonly Format[];
  readonly size: number;
}

/** The outcome of one scan. */
export interface ScanReport {
  readonly findings: readonly Finding[];
  readonly problems: readonly Problem[];
  readonly scanned: readonly ScannedItem[];
  /** Bytes read from disk or inflated, for the stats line. */
  readonly bytes: number;
  readonly durationMs: number;
}
