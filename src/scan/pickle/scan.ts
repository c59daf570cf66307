/**
 * The async drivers: feed the machine from the source, skip what it asks to skip, scan every
 * stacked pickle, and hand nested-loader payloads back to the engine.
 */
import type { ScanContext } from '../context.js';
import { BufferSource, SliceSource, type ByteSource } from '../source.js';
import { Machine } from './machine.js';
import { isOpcode } from './opcodes.js';
import { Reader } from './reader.js';
import type { Reporter } from './report.js';
import { isTorchLegacy, looksLikePickle } from './sniff.js';
import { DONE, FAIL, NEED, SKIP, SKIP_LINE, type Status } from './status.js';
import type { Text } from './values.js';

/** Distinct findings kept before identical repeats are no longer deduplicated. */
const DEDUPE_MAX = 10_000;

/** Forwards to the context, dropping exact repeats of a finding (same rule, callable, evidence). */
function contextReporter(context: ScanContext): Reporter {
  const seen = new Set<string>();
  return {
    finding(finding) {
      const key = `${finding.rule}\u0000${finding.callable ?? ''}\u0000${finding.evidence ?? ''}`;
      if (seen.has(key)) return;
      if (seen.size < DEDUPE_MAX) seen.add(key);
      context.finding(finding);
    },
    problem(code, message, offset) {
      context.problem(code, message, offset);
    },
  };
}

/** Runs one pickle from the reader's position; true when it reached STOP. */
async function runOne(m: Machine, reader: Reader): Promise<boolean> {
  m.begin();
  let status: Status;
  try {
    for (;;) {
      status = m.run(reader);
      if (status === NEED) await reader.fill(m.need);
      else if (status === SKIP || status === SKIP_LINE) {
        const ok = status === SKIP ? await reader.skipTo(m.skipTarget) : await reader.skipLine();
        if (!ok) {
          m.problem('pickle-truncated', 'The pickle ends inside a payload.', reader.offset, true);
          status = FAIL;
          break;
        }
      } else break;
    }
  } finally {
    m.finish();
  }
  return status === DONE;
}

/** The bytes of a nested-loader payload, re-read from the source when only a prefix was kept. */
function nestedSource(
  payload: Text,
  source: ByteSource,
  context: ScanContext,
  at: number,
): ByteSource {
  if (payload.raw.length === payload.size) return new BufferSource(payload.raw);
  const max = context.limits.maxNestedBytes;
  if (payload.offset >= 0 && source.seekable) {
    if (payload.size > max) {
      context.problem(
        'pickle-nested-too-large',
        `A nested pickle of ${payload.size} bytes is scanned only up to ${max} bytes.`,
        at,
      );
    }
    return new SliceSource(source, payload.offset, Math.min(payload.size, max));
  }
  context.problem(
    'pickle-nested-truncated',
    'Only the start of a large nested pickle could be kept for scanning.',
    at,
  );
  return new BufferSource(payload.raw);
}

async function scanNestedPayloads(
  m: Machine,
  source: ByteSource,
  context: ScanContext,
): Promise<void> {
  const queue = m.nested;
  m.nested = [];
  for (const { payload, at } of queue) {
    // Loaders that take paths or other formats (yaml, marshal) get no pickle scan of their text.
    if (!looksLikePickle(payload.raw)) continue;
    await context.scanNested(
      `<nested pickle @${at}>`,
      nestedSource(payload, source, context, at),
      'pickle',
    );
  }
}

/** Trailing bytes after the last pickle: harmless when they are only whitespace or NUL padding. */
async function checkTrailing(reader: Reader, context: ScanContext): Promise<void> {
  const start = reader.offset;
  for (;;) {
    for (let i = reader.pos; i < reader.end; i++) {
      const byte = reader.buf[i];
      if (byte !== 0 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x20) {
        context.problem(
          'pickle-trailing-data',
          `Bytes after the last pickle (from offset ${start}) are not a pickle and were not scanned.`,
          reader.base + i,
        );
        return;
      }
    }
    reader.pos = reader.end;
    if (reader.eof) return;
    await reader.fill(1);
  }
}

/** Pickles in a legacy torch.save stream: magic, protocol, sys info, model, storage keys. */
const TORCH_LEGACY_PICKLES = 5;

/**
 * Scans every pickle in `source` from offset 0, stacked pickles included. A legacy torch
 * stream (given as `mode`, or recognised by its magic number) stops after its five pickles:
 * raw storage bytes follow them.
 */
export async function scanStream(
  source: ByteSource,
  context: ScanContext,
  mode: 'pickle' | 'torch-legacy',
): Promise<void> {
  const reader = new Reader(source);
  const m = new Machine({
    limits: context.limits,
    reporter: contextReporter(context),
    seekable: source.seekable,
    ...(context.allowGlobals === undefined ? {} : { allowGlobals: context.allowGlobals }),
  });
  await reader.fill(16);
  const legacy =
    mode === 'torch-legacy' || isTorchLegacy(reader.buf.subarray(reader.pos, reader.end));
  const maxPickles = legacy ? TORCH_LEGACY_PICKLES : undefined;
  let count = 0;
  for (;;) {
    await reader.fill(1);
    if (reader.available === 0) break;
    if (maxPickles !== undefined && count >= maxPickles) return;
    if (count > 0 && !isOpcode(reader.buf[reader.pos] ?? 0)) {
      await checkTrailing(reader, context);
      return;
    }
    const complete = await runOne(m, reader);
    await scanNestedPayloads(m, source, context);
    count++;
    if (!complete) return;
  }
  if (count === 0) context.problem('pickle-empty', 'The data is empty, not a pickle.', 0);
  else if (maxPickles !== undefined && count < maxPickles) {
    context.problem(
      'pickle-torch-legacy-truncated',
      `The legacy torch file ends after ${count} of its ${maxPickles} pickles.`,
      reader.offset,
    );
  }
}
