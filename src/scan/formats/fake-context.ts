/**
 * A recording ScanContext for this folder's tests: it keeps findings, problems and nested
 * hand-offs instead of running the engine.
 */
import fc from 'fast-check';
import {
  DEFAULT_LIMITS,
  type FormatScanner,
  type ScanContext,
  type ScanLimits,
} from '../context.js';
import { BufferSource, type ByteSource } from '../source.js';
import type { FindingInput, Format } from '../types.js';

/** What a scanner reported through a {@link FakeContext}. */
export interface Recorded {
  readonly findings: FindingInput[];
  readonly problems: { code: string; message: string; offset?: number }[];
  readonly nested: { member: string; size: number; hint?: Format }[];
}

/** A context that records instead of dispatching. */
export class FakeContext implements ScanContext {
  readonly location = { file: 'test', members: [] };
  readonly depth = 0;
  readonly formats: readonly Format[] = [];
  readonly limits: ScanLimits;
  readonly recorded: Recorded = { findings: [], problems: [], nested: [] };

  constructor(limits: Partial<ScanLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  finding(finding: FindingInput): void {
    this.recorded.findings.push(finding);
  }

  problem(code: string, message: string, offset?: number): void {
    this.recorded.problems.push({ code, message, ...(offset === undefined ? {} : { offset }) });
  }

  scanNested(member: string, source: ByteSource, hint?: Format): Promise<void> {
    this.recorded.nested.push({
      member,
      size: source.size,
      ...(hint === undefined ? {} : { hint }),
    });
    return Promise.resolve();
  }

  inflated(): void {
    // Nothing here inflates.
  }
}

/** Runs `scanner` over `bytes` (or any source) and returns what it reported. */
export async function run(
  scanner: FormatScanner,
  bytes: Uint8Array | ByteSource,
  limits: Partial<ScanLimits> = {},
): Promise<Recorded> {
  const context = new FakeContext(limits);
  const source = bytes instanceof Uint8Array ? new BufferSource(bytes) : bytes;
  await scanner(source, context);
  return context.recorded;
}

/** A non-seekable view of bytes, served in small chunks like an inflating stream. */
export class StreamSource implements ByteSource {
  readonly seekable = false;
  readonly #bytes: Uint8Array;
  readonly #chunk: number;
  constructor(bytes: Uint8Array, chunk = 7) {
    this.#bytes = bytes;
    this.#chunk = chunk;
  }
  get size(): number {
    return this.#bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const out: Uint8Array[] = [];
    for await (const part of this.stream(0)) out.push(part);
    return Promise.resolve(Buffer.concat(out).subarray(offset, offset + length));
  }
  async *stream(offset = 0): AsyncIterable<Uint8Array> {
    for (let at = offset; at < this.#bytes.length; at += this.#chunk) {
      yield await Promise.resolve(this.#bytes.slice(at, at + this.#chunk));
    }
  }
}

/** Seeds with random bytes overwritten, inserted, cut off, or entirely random bytes. */
export function mutated(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const edit = fc.record({
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
    insert: fc.boolean(),
  });
  const mutant = fc
    .tuple(fc.constantFrom(...seeds), fc.array(edit, { maxLength: 8 }), fc.option(fc.nat()))
    .map(([seed, edits, cut]) => {
      let bytes = [...seed];
      for (const { at, byte, insert } of edits) {
        const i = bytes.length === 0 ? 0 : at % bytes.length;
        if (insert) bytes.splice(i, 0, byte);
        else bytes[i] = byte;
      }
      if (cut !== null) bytes = bytes.slice(0, cut % (bytes.length + 1));
      return Uint8Array.from(bytes);
    });
  return fc.oneof(mutant, fc.uint8Array({ maxLength: 512 }));
}
