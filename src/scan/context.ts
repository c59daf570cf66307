/**
 * The contract between the scan engine and the format scanners. A format scanner gets the
 * bytes and a context; it reports findings and problems through the context and hands any
 * embedded artefact (an archive member, a nested pickle) back to the engine with
 * {@link ScanContext.scanNested}, which sniffs and dispatches it with the depth limit applied.
 */
import type { RuleId } from './rules.js';
import type { ByteSource } from './source.js';
import type { FindingInput, Format, Location } from './types.js';

/** Limits that keep a hostile artefact from exhausting time or memory. */
export interface ScanLimits {
  /** Nesting depth of archives and nested payloads. */
  readonly maxDepth: number;
  /** Total bytes the scan may inflate from compressed members and streams. */
  readonly maxInflatedBytes: number;
  /** Compression ratio above which a member of at least `ratioFloorBytes` is a bomb. */
  readonly maxCompressionRatio: number;
  readonly ratioFloorBytes: number;
  /** Members per archive. */
  readonly maxArchiveEntries: number;
  /** Largest nested payload (bytes handed to a nested loader) kept in memory for scanning. */
  readonly maxNestedBytes: number;
  /** Pickle memo entries and stack depth. */
  readonly maxPickleMemo: number;
  readonly maxPickleStack: number;
  /** Largest metadata header read into memory (safetensors JSON, GGUF KV, Keras config, protobuf). */
  readonly maxHeaderBytes: number;
  /** Findings kept per scanned item; more are counted but dropped. */
  readonly maxFindingsPerItem: number;
  /** Longest an HDF5 file may take to open and read (the HDF5 library can loop on hostile files). */
  readonly hdf5TimeoutMs: number;
}

/** Defaults, documented in docs/cli/scan.md. */
export const DEFAULT_LIMITS: ScanLimits = {
  maxDepth: 8,
  maxInflatedBytes: 64 * 1024 ** 3,
  maxCompressionRatio: 250,
  ratioFloorBytes: 64 * 1024 ** 2,
  maxArchiveEntries: 100_000,
  maxNestedBytes: 64 * 1024 ** 2,
  maxPickleMemo: 1_000_000,
  maxPickleStack: 1_000_000,
  maxHeaderBytes: 100 * 1024 ** 2,
  maxFindingsPerItem: 1_000,
  hdf5TimeoutMs: 10_000,
};

/** What a format scanner gets besides the bytes. */
export interface ScanContext {
  readonly location: Location;
  readonly limits: ScanLimits;
  /** Nesting depth of this item (0 for a file given on the command line or found in a folder). */
  readonly depth: number;
  /** Formats this item's bytes sniffed as (more than one for a polyglot). */
  readonly formats: readonly Format[];
  /**
   * Pickle globals (`module.qualname`) the user trusts beyond the built-in allowlist. They turn
   * an unknown callable into an allowed one; a denied global stays denied.
   */
  readonly allowGlobals?: ReadonlySet<string>;
  /** Reports a finding at this location. */
  finding(finding: FindingInput): void;
  /** Reports a part that could not be scanned (`code` is stable kebab-case). */
  problem(code: string, message: string, offset?: number): void;
  /**
   * Sniffs and scans bytes embedded in this item. `member` names them (an archive member path
   * or a label like `<nested pickle @123>`); `hint` forces a format when the container knows it.
   */
  scanNested(member: string, source: ByteSource, hint?: Format): Promise<void>;
  /**
   * Counts bytes inflated from compressed data. Throws {@link LimitExceeded} past
   * `maxInflatedBytes`; the engine turns that into an `archive-bomb` finding.
   */
  inflated(bytes: number): void;
}

/**
 * Thrown by a scanner (or the context) when a hostile artefact hits a limit. The engine catches
 * it and reports `rule` at this item's location; findings made before it are kept.
 */
export class LimitExceeded extends Error {
  readonly rule: RuleId;
  constructor(rule: RuleId, message: string) {
    super(message);
    this.name = 'LimitExceeded';
    this.rule = rule;
  }
}

/** A format scanner: inspects bytes without ever loading or executing them. */
export type FormatScanner = (source: ByteSource, context: ScanContext) => Promise<void>;
