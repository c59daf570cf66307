// What the fuzzer's parent (scripts/fuzz.ts) and its per-target children (scripts/fuzz-child.ts)
// share: timing, the job handed to a child, the messages it sends back, and the on-disk journal
// of the input being parsed, which survives a native abort or a hang.
import { mkdtempSync, readFileSync, writeFileSync, writevSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Longest a single input may take before it counts as a failure. */
export const DEADLINE_MS = 2000;
/** How often a busy child reports progress, and how often the parent checks on it. */
export const HEARTBEAT_MS = 100;
/** The argument that makes scripts/fuzz.js run as a child; the job follows as JSON. */
export const CHILD_FLAG = '--fuzz-child';
/** The journal: input length and iteration (uint32 LE each), then the input being parsed. */
const JOURNAL = 'current-input.bin';

/** One target's run, handed from the parent to its child. */
export interface ChildJob {
  readonly name: string;
  readonly seed: string;
  readonly budgetMs: number;
  readonly iterations: number | undefined;
  readonly scratch: string;
}

/** How many inputs a target ran, how many it accepted and how many failed. */
export interface Summary {
  iterations: number;
  accepted: number;
  failures: number;
}

/** A message from a child: a heartbeat, a failing input, or the final summary. */
export type ChildMessage =
  | { readonly kind: 'beat'; readonly iterations: number }
  | {
      readonly kind: 'failure';
      readonly iteration: number;
      readonly reason: string;
      readonly file: string;
    }
  | ({ readonly kind: 'done' } & Summary);

/** The journal file in a child's scratch directory. */
export function journalPath(scratch: string): string {
  return path.join(scratch, JOURNAL);
}

/** Records the input about to be parsed, overwriting the previous one. */
export function writeJournal(journal: number, iteration: number, input: Buffer): void {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(input.length, 0);
  header.writeUInt32LE(iteration, 4);
  writevSync(journal, [header, input], 0);
}

/** The input a child was parsing when it stopped, from its journal. */
export function readJournal(scratch: string): { iteration: number; input: Buffer } {
  try {
    const bytes = readFileSync(journalPath(scratch));
    const length = bytes.readUInt32LE(0);
    return { iteration: bytes.readUInt32LE(4), input: bytes.subarray(8, 8 + length) };
  } catch {
    return { iteration: -1, input: Buffer.alloc(0) };
  }
}

/** Saves a failing input under the temporary directory and returns its path. */
export function saveInput(
  name: string,
  seed: string,
  iteration: number,
  input: Uint8Array,
): string {
  const safeSeed = seed.replace(/[^\w.-]/g, '_');
  // A fresh private folder: a predictable name in the shared temp folder could be a planted link.
  const folder = mkdtempSync(path.join(tmpdir(), 'rampart-fuzz-'));
  const file = path.join(folder, `${name}-${safeSeed}-${iteration}.bin`);
  writeFileSync(file, input, { flag: 'wx' });
  return file;
}
