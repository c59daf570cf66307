import { canonicalize, RampartError } from '../core/index.js';
import type { Executor } from '../store/index.js';
import { openCheckpoint } from './checkpoint/checkpoint.js';
import type { NoteVerifier } from './checkpoint/vkey.js';
import { appendLeaf, compactRoot, EMPTY_RANGE, type CompactRange } from './merkle/compact.js';
import { leafHash } from './merkle/hash.js';
import { nodeRowKey } from './store-nodes.js';

/** What a successful verification checked. */
export interface VerifyReport {
  readonly size: number;
  readonly checkpoints: number;
  readonly root: string;
}

// Leaves read per query: bounded memory whatever the log size.
const PAGE = 5000;

type CheckpointRow = {
  readonly size: number;
  readonly root: Uint8Array;
  readonly note: string;
};

/**
 * Trusts nothing stored: recomputes every leaf hash and perfect node from the leaf data, checks
 * that indexes run 0, 1, 2, … without gaps, that every stored node matches, that there are no
 * extra rows, and that every checkpoint is validly signed and commits to the recomputed root.
 * @throws RAMPART_AUDIT_TAMPERED with `details.index` (or `details.checkpoint`) of the first
 * problem.
 */
export async function verifyLog(
  store: Executor,
  verifiers: readonly NoteVerifier[],
  origin: string,
): Promise<VerifyReport> {
  const checkpoints = await store.query<CheckpointRow>(
    'SELECT size, root, note FROM audit_checkpoints ORDER BY size',
  );
  let next = 0;
  let range: CompactRange = EMPTY_RANGE;
  let nodeCount = 0;
  const check = checkpointChecker(checkpoints, verifiers, origin);
  check(range);
  for (;;) {
    const rows = await store.query<{ idx: number; leaf_hash: Uint8Array; data: string }>(
      'SELECT idx, leaf_hash, data FROM audit_leaves WHERE idx >= ? ORDER BY idx LIMIT ?',
      [next, PAGE],
    );
    if (rows.length === 0) break;
    const stored = await storedNodes(store, next, next + rows.length);
    for (const row of rows) {
      const index = row.idx;
      if (index !== next) tampered(next, `entry ${next} is missing (found ${index} next)`);
      const step = appendLeaf(range, checkLeaf(row, index));
      for (const node of step.completed) {
        // Level 0 is the leaf hash itself, checked against the data above.
        if (node.level === 0) continue;
        const hash = stored.get(`${node.level}/${node.index}`);
        if (hash === undefined || !hash.equals(node.hash)) {
          tampered(
            index,
            `stored node (level ${node.level}, index ${node.index}) does not match entry ${index}`,
          );
        }
        nodeCount++;
      }
      range = step.range;
      next++;
      check(range);
    }
  }
  await checkNoExtras(store, next, nodeCount, checkpoints);
  return {
    size: next,
    checkpoints: checkpoints.length,
    root: compactRoot(range).toString('base64'),
  };
}

/** Checks one stored leaf against its data and returns the recomputed leaf hash. */
function checkLeaf(row: { leaf_hash: Uint8Array; data: string }, index: number): Buffer {
  const hash = leafHash(Buffer.from(row.data, 'utf8'));
  if (!Buffer.from(row.leaf_hash).equals(hash)) {
    tampered(index, `entry ${index}: stored leaf hash does not match its data`);
  }
  let canonical: string | undefined;
  try {
    canonical = canonicalize(JSON.parse(row.data));
  } catch {
    canonical = undefined;
  }
  if (canonical !== row.data) tampered(index, `entry ${index}: data is not canonical JSON`);
  return hash;
}

// Checks each checkpoint when the recomputed tree reaches its size.
function checkpointChecker(
  rows: readonly CheckpointRow[],
  verifiers: readonly NoteVerifier[],
  origin: string,
): (range: CompactRange) => void {
  const bySize = new Map(rows.map((row) => [row.size, row]));
  return (range) => {
    const row = bySize.get(range.size);
    if (row === undefined) return;
    const root = compactRoot(range);
    let committed: Buffer;
    try {
      const opened = openCheckpoint(row.note, verifiers, origin);
      if (opened.checkpoint.size !== range.size) throw new Error('size differs from its row');
      committed = opened.checkpoint.root;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return tamperedCheckpoint(
        range.size,
        `checkpoint at size ${range.size} does not verify: ${reason}`,
      );
    }
    if (!committed.equals(root) || !Buffer.from(row.root).equals(root)) {
      tamperedCheckpoint(range.size, `checkpoint at size ${range.size} commits to another tree`);
    }
  };
}

// The nodes above level 0 that leaves [from, to) completed: those completed at sizes from + 1
// to `to`.
async function storedNodes(
  store: Executor,
  from: number,
  to: number,
): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const rows = await store.query<{ size: number; level: number; hash: Uint8Array }>(
    'SELECT size, level, hash FROM audit_nodes WHERE size > ? AND size <= ?',
    [from, to],
  );
  for (const row of rows) found.set(nodeRowKey(row), Buffer.from(row.hash));
  return found;
}

async function checkNoExtras(
  store: Executor,
  size: number,
  nodeCount: number,
  checkpoints: readonly CheckpointRow[],
): Promise<void> {
  const [leaves] = await store.query<{ n: number }>('SELECT COUNT(*) AS n FROM audit_leaves');
  if ((leaves?.n ?? 0) !== size) tampered(size, `rows beyond entry ${size - 1} or out of order`);
  const [nodes] = await store.query<{ n: number }>('SELECT COUNT(*) AS n FROM audit_nodes');
  if ((nodes?.n ?? 0) !== nodeCount) tampered(size, 'the node table holds nodes no entry produced');
  const beyond = checkpoints.find((c) => c.size > size);
  if (beyond !== undefined) {
    tamperedCheckpoint(
      beyond.size,
      `checkpoint at size ${beyond.size} is beyond the ${size} entries stored`,
    );
  }
  // Every batch commits its entries and its checkpoint together, so the newest entry is always
  // covered by a checkpoint: entries past the last one were added behind the log's back.
  const last = checkpoints.at(-1)?.size ?? 0;
  if (size > last)
    tampered(last, `entries ${last}–${size - 1} are not covered by any signed checkpoint`);
}

function tampered(index: number, message: string): never {
  throw new RampartError('RAMPART_AUDIT_TAMPERED', message, { details: { index } });
}

function tamperedCheckpoint(size: number, message: string): never {
  throw new RampartError('RAMPART_AUDIT_TAMPERED', message, {
    details: { checkpoint: size, index: size - 1 },
  });
}
