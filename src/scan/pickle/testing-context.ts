/**
 * Test-only scan context: records findings, problems and nested scans, and can recurse into
 * nested pickles the way the engine would.
 */
import {
  DEFAULT_LIMITS,
  type FormatScanner,
  type ScanContext,
  type ScanLimits,
} from '../context.js';
import type { RuleId } from '../rules.js';
import { RULES } from '../rules.js';
import { BufferSource, CHUNK_SIZE, type ByteSource } from '../source.js';
import { atLeast, type FindingInput, type Format, type Severity } from '../types.js';
import { scanPickle } from './index.js';

export interface RecordedProblem {
  readonly code: string;
  readonly message: string;
  readonly offset?: number;
  readonly member: string;
}

export interface RecordedFinding extends FindingInput {
  readonly member: string;
}

interface Shared {
  readonly findings: RecordedFinding[];
  readonly problems: RecordedProblem[];
  readonly nested: { readonly member: string; readonly bytes: Uint8Array }[];
}

export interface FakeOptions {
  readonly limits?: Partial<ScanLimits>;
  /** Scanner run on nested payloads (the engine would sniff; tests pass scanPickle). */
  readonly recurse?: FormatScanner;
}

/** Records everything a scanner reports; nested scans share the same records. */
export class FakeContext implements ScanContext {
  readonly location = { file: 'test.pkl', members: [] as string[] };
  readonly limits: ScanLimits;
  readonly depth: number;
  readonly formats: readonly Format[] = ['pickle'];
  readonly #shared: Shared;
  readonly #member: string;
  readonly #recurse: FormatScanner | undefined;

  constructor(options: FakeOptions = {}, depth = 0, shared?: Shared, member = '') {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.depth = depth;
    this.#shared = shared ?? { findings: [], problems: [], nested: [] };
    this.#member = member;
    this.#recurse = options.recurse;
  }

  get findings(): readonly RecordedFinding[] {
    return this.#shared.findings;
  }

  get problems(): readonly RecordedProblem[] {
    return this.#shared.problems;
  }

  get nested(): readonly { readonly member: string; readonly bytes: Uint8Array }[] {
    return this.#shared.nested;
  }

  finding(finding: FindingInput): void {
    this.#shared.findings.push({ ...finding, member: this.#member });
  }

  problem(code: string, message: string, offset?: number): void {
    this.#shared.problems.push({
      code,
      message,
      member: this.#member,
      ...(offset === undefined ? {} : { offset }),
    });
  }

  async scanNested(member: string, source: ByteSource, hint?: Format): Promise<void> {
    const bytes = await source.read(0, source.size);
    this.#shared.nested.push({ member, bytes });
    if (!this.#recurse || hint !== 'pickle' || this.depth >= this.limits.maxDepth) return;
    const child = new FakeContext(
      { limits: this.limits, recurse: this.#recurse },
      this.depth + 1,
      this.#shared,
      member,
    );
    await this.#recurse(source, child);
  }

  inflated(): void {
    // Pickle scanning inflates nothing.
  }

  /** Rule ids of findings at or above `min` severity (default severities from RULES). */
  rules(min: Severity = 'info'): RuleId[] {
    return this.findings
      .filter((f) => atLeast(f.severity ?? RULES[f.rule].severity, min))
      .map((f) => f.rule);
  }

  /** Findings of `rule`. */
  of(rule: RuleId): RecordedFinding[] {
    return this.findings.filter((f) => f.rule === rule);
  }

  /** Problem codes. */
  codes(): string[] {
    return this.problems.map((p) => p.code);
  }
}

/** Bytes served as a non-seekable stream in small chunks (a decompressed stream). */
export class StreamSource implements ByteSource {
  readonly seekable = false;
  readonly #bytes: Uint8Array;
  readonly #chunk: number;
  constructor(bytes: Uint8Array, chunk = CHUNK_SIZE) {
    this.#bytes = bytes;
    this.#chunk = chunk;
  }
  get size(): number {
    return this.#bytes.length;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    return new BufferSource(this.#bytes).read(offset, length);
  }
  async *stream(offset = 0): AsyncIterable<Uint8Array> {
    for (let at = offset; at < this.#bytes.length; at += this.#chunk) {
      yield await this.read(at, this.#chunk);
    }
  }
}

/** Scans `bytes` with scanPickle (or `scanner`), recursing into nested pickles. */
export async function scanBytes(
  bytes: Uint8Array,
  options: FakeOptions & { readonly source?: ByteSource; readonly scanner?: FormatScanner } = {},
): Promise<FakeContext> {
  const context = new FakeContext({ recurse: scanPickle, ...options });
  await (options.scanner ?? scanPickle)(options.source ?? new BufferSource(bytes), context);
  return context;
}
