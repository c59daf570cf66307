import type { Executor, SqlValue, Store } from '../store/index.js';
import { signCheckpoint } from './checkpoint/checkpoint.js';
import type { NoteSigner } from './checkpoint/note.js';
import {
  appendLeaves,
  compactRoot,
  loadCompactRange,
  type CompactRange,
  type StoredNode,
} from './merkle/compact.js';
import { leafHash } from './merkle/hash.js';
import { completedAt, storeNodeReader } from './store-nodes.js';

/** What one acknowledged append gets back. */
export interface AppendReceipt {
  /** The entry's position in the log, from 0. */
  readonly index: number;
  /** The signed checkpoint (C2SP signed note) of the batch that made the entry durable. */
  readonly checkpoint: string;
}

interface Pending {
  readonly bytes: Buffer;
  readonly resolve: (receipt: AppendReceipt) => void;
  readonly reject: (error: unknown) => void;
}

/** How the sequencer writes. */
export interface SequencerOptions {
  readonly store: Store;
  readonly origin: string;
  readonly signer: NoteSigner;
  readonly now: () => Date;
  /** Most leaves committed in one transaction. */
  readonly maxBatch: number;
}

// Rows per INSERT statement: well under the bound-parameter limits of both databases.
const ROWS_PER_INSERT = 256;
// Serialises appenders in other processes on PostgreSQL (SQLite's BEGIN IMMEDIATE does that).
const POSTGRES_LOCK_KEY = 0x72617564;

/**
 * Group commit: appends queue up while a batch is being written; each batch is one
 * transaction (leaves, completed nodes, signed checkpoint), and an append resolves only after
 * that transaction committed, so every acknowledged entry is durable.
 */
export class Sequencer {
  readonly #options: SequencerOptions;
  #queue: Pending[] = [];
  #running = false;
  // The right edge after this sequencer's last commit; reloaded from the store whenever the
  // log's size shows another writer (process) appended since.
  #range: CompactRange | undefined;

  constructor(options: SequencerOptions) {
    this.#options = Object.freeze({ ...options });
  }

  /** Queues canonical leaf bytes; resolves once they are committed. */
  append(bytes: Buffer): Promise<AppendReceipt> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ bytes, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, this.#options.maxBatch);
      this.#queue = this.#queue.slice(batch.length);
      try {
        const receipts = await this.#commit(batch.map((p) => p.bytes));
        batch.forEach((p, i) => {
          p.resolve(receipts[i] as AppendReceipt);
        });
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
      // Let the callers just answered queue their next appends before the next batch is cut:
      // bigger batches share one fsync (group commit), at no cost when nobody is waiting.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.#running = false;
  }

  async #commit(leaves: readonly Buffer[]): Promise<AppendReceipt[]> {
    const { store, origin, signer } = this.#options;
    const committed = await store.transaction(async (tx) => {
      if (store.dialect === 'postgres') {
        await tx.query('SELECT pg_advisory_xact_lock(?)', [POSTGRES_LOCK_KEY]);
      }
      const size = await logSize(tx);
      const hashes = leaves.map((leaf) => leafHash(leaf));
      const start =
        this.#range?.size === size
          ? this.#range
          : await loadCompactRange(storeNodeReader(tx), size);
      const { range, completed: nodes } = appendLeaves(start, hashes);
      const now = this.#options.now().toISOString();
      await insertLeaves(tx, size, leaves, hashes, now);
      await insertNodes(tx, nodes);
      const root = compactRoot(range);
      const note = await signCheckpoint({ origin, size: range.size, root, extensions: [] }, [
        signer,
      ]);
      await tx.run(
        'INSERT INTO audit_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?)',
        [range.size, root, note, now],
      );
      return { range, receipts: leaves.map((_, i) => ({ index: size + i, checkpoint: note })) };
    });
    this.#range = committed.range;
    return committed.receipts;
  }
}

/** The number of entries in the log. */
export async function logSize(executor: Executor): Promise<number> {
  const rows = await executor.query<{ n: number | null }>('SELECT MAX(idx) AS n FROM audit_leaves');
  const max = rows[0]?.n;
  return max === null || max === undefined ? 0 : max + 1;
}

async function insertLeaves(
  tx: Executor,
  first: number,
  leaves: readonly Buffer[],
  hashes: readonly Buffer[],
  now: string,
): Promise<void> {
  for (const [at, count] of insertChunks(leaves.length)) {
    const part = leaves.slice(at, at + count);
    const values = rowPlaceholders(count, '(?, ?, ?, ?)');
    const params: SqlValue[] = [];
    for (let i = 0; i < part.length; i++) {
      params.push(
        first + at + i,
        hashes[at + i] as Buffer,
        (part[i] as Buffer).toString('utf8'),
        now,
      );
    }
    await tx.run(
      `INSERT INTO audit_leaves (idx, leaf_hash, data, appended_at) VALUES ${values}`,
      params,
    );
  }
}

// Level-0 nodes are the leaf hashes, stored once in audit_leaves.
async function insertNodes(tx: Executor, completed: readonly StoredNode[]): Promise<void> {
  const nodes = completed.filter((node) => node.level > 0);
  for (const [at, count] of insertChunks(nodes.length)) {
    const part = nodes.slice(at, at + count);
    const params: SqlValue[] = [];
    for (const node of part) params.push(completedAt(node), node.level, node.hash);
    await tx.run(
      `INSERT INTO audit_nodes (size, level, hash) VALUES ${rowPlaceholders(count, '(?, ?, ?)')}`,
      params,
    );
  }
}

// The VALUES list of a multi-row INSERT; memoised, since only nine row counts occur.
const placeholderCache = new Map<string, string>();
function rowPlaceholders(count: number, row: string): string {
  const key = `${count}${row}`;
  let text = placeholderCache.get(key);
  if (text === undefined) {
    text = Array.from({ length: count }, () => row).join(', ');
    placeholderCache.set(key, text);
  }
  return text;
}

/**
 * Splits `total` rows into chunks whose sizes are powers of two (at most ROWS_PER_INSERT), so
 * a batch of any size uses one of only nine statement texts and the prepared-statement cache
 * never churns.
 */
function insertChunks(total: number): [start: number, count: number][] {
  const chunks: [number, number][] = [];
  let at = 0;
  for (let size = ROWS_PER_INSERT; size >= 1; size /= 2) {
    while (total - at >= size) {
      chunks.push([at, size]);
      at += size;
    }
  }
  return chunks;
}
