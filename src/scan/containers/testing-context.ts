/**
 * Test support (not used by the scanner): a {@link ScanContext} that records findings,
 * problems and nested items, and can pass nested items on to a scanner to test recursion.
 */
import { DEFAULT_LIMITS, LimitExceeded, type ScanContext, type ScanLimits } from '../context.js';
import type { ByteSource } from '../source.js';
import type { FindingInput, Format, Location } from '../types.js';

/** A nested item as the fake engine received it. */
export interface NestedItem {
  readonly name: string;
  readonly hint: Format | undefined;
  readonly size: number;
  readonly seekable: boolean;
  /** The whole content, read through `stream()`. */
  readonly bytes: Uint8Array;
  /** The first bytes, read through `read()` as the engine's sniffing does. */
  readonly head: Uint8Array;
  /** The context the item was scanned with (holds what a dispatcher reported). */
  readonly context: FakeContext;
}

/** Decides which scanner (if any) a nested item goes to. */
export type Dispatch = (
  source: ByteSource,
  context: FakeContext,
  hint: Format | undefined,
) => Promise<void>;

interface Shared {
  inflated: number;
}

/** A recording context. */
export class FakeContext implements ScanContext {
  readonly location: Location;
  readonly limits: ScanLimits;
  readonly depth: number;
  readonly formats: readonly Format[] = [];
  readonly findings: FindingInput[] = [];
  readonly problems: { code: string; message: string; offset: number | undefined }[] = [];
  readonly nested: NestedItem[] = [];
  readonly #dispatch: Dispatch | undefined;
  readonly #shared: Shared;

  constructor(
    options: {
      limits?: Partial<ScanLimits>;
      dispatch?: Dispatch;
      members?: string[];
      depth?: number;
    } = {},
    shared: Shared = { inflated: 0 },
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.location = { file: 'test', members: options.members ?? [] };
    this.depth = options.depth ?? 0;
    this.#dispatch = options.dispatch;
    this.#shared = shared;
  }

  /** Bytes counted through {@link inflated} by this context and its children. */
  get inflatedTotal(): number {
    return this.#shared.inflated;
  }

  /** Rule ids of the findings here and in nested items, in order. */
  allRules(): string[] {
    return [
      ...this.findings.map((f) => f.rule),
      ...this.nested.flatMap((n) => n.context.allRules()),
    ];
  }

  /** Problem codes here and in nested items. */
  allProblems(): string[] {
    return [
      ...this.problems.map((p) => p.code),
      ...this.nested.flatMap((n) => n.context.allProblems()),
    ];
  }

  finding(finding: FindingInput): void {
    this.findings.push(finding);
  }

  problem(code: string, message: string, offset?: number): void {
    this.problems.push({ code, message, offset });
  }

  // Like the engine: a limit or error inside the nested item is recorded there and stops only it.
  async scanNested(member: string, source: ByteSource, hint?: Format): Promise<void> {
    const context = new FakeContext(
      {
        limits: this.limits,
        members: [...this.location.members, member],
        depth: this.depth + 1,
        ...(this.#dispatch === undefined ? {} : { dispatch: this.#dispatch }),
      },
      this.#shared,
    );
    const chunks: Uint8Array[] = [];
    let head: Uint8Array = new Uint8Array(0);
    try {
      head = await source.read(0, 64);
      for await (const chunk of source.stream(0, 4096)) chunks.push(Uint8Array.from(chunk));
      if (this.#dispatch !== undefined && this.depth + 1 <= this.limits.maxDepth)
        await this.#dispatch(source, context, hint);
    } catch (error) {
      if (error instanceof LimitExceeded)
        context.finding({ rule: error.rule, message: error.message });
      else context.problem('scan-failed', error instanceof Error ? error.message : String(error));
    }
    const bytes = Buffer.concat(chunks);
    this.nested.push({
      name: member,
      hint,
      size: source.size,
      seekable: source.seekable,
      bytes,
      head,
      context,
    });
  }

  inflated(bytes: number): void {
    this.#shared.inflated += bytes;
    if (this.#shared.inflated > this.limits.maxInflatedBytes) {
      throw new LimitExceeded(
        'RS204',
        `more than ${this.limits.maxInflatedBytes} bytes would be decompressed`,
      );
    }
  }
}
