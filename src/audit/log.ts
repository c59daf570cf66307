import { randomBytes } from 'node:crypto';
import { RampartError } from '../core/index.js';
import { initMeta, type Store } from '../store/index.js';
import type { NoteSigner } from './checkpoint/note.js';
import type { NoteVerifier } from './checkpoint/vkey.js';
import { toLeaf, type AuditEvent } from './event.js';
import { consistencyProof, inclusionProof, rootAt } from './merkle/proofs.js';
import { logSize, Sequencer, type AppendReceipt } from './sequencer.js';
import { storeNodeReader } from './store-nodes.js';
import { verifyLog, type VerifyReport } from './verify-log.js';

/** One stored entry. */
export interface AuditEntry {
  readonly index: number;
  readonly event: AuditEvent;
  /** The canonical JSON the leaf hash covers. */
  readonly data: string;
  readonly leafHash: string;
  readonly appendedAt: string;
}

/** An inclusion or consistency proof, hashes in base64 (as in the Merkle test vectors). */
export interface AuditProof {
  readonly size: number;
  readonly root: string;
  readonly proof: readonly string[];
}

/** An inclusion proof with the entry's index and leaf hash (base64). */
export interface InclusionProof extends AuditProof {
  readonly index: number;
  readonly leafHash: string;
}

/** How to open the log. */
export interface AuditLogOptions {
  readonly store: Store;
  /** The checkpoint origin line, e.g. `rampart.local/audit/3f9c…`. */
  readonly origin: string;
  readonly signer: NoteSigner;
  /** Keys whose checkpoint signatures `verify` accepts (the log's own, at least). */
  readonly verifiers: readonly NoteVerifier[];
  /** Key for the hash of source addresses; see {@link auditSalt}. */
  readonly salt: Uint8Array;
  readonly now?: () => Date;
  /** Most entries committed per transaction (group commit); default 1,024. */
  readonly maxBatch?: number;
}

/** The tamper-evident audit log over the metadata store. */
export class AuditLog {
  readonly origin: string;
  readonly #options: AuditLogOptions;
  readonly #sequencer: Sequencer;
  readonly #now: () => Date;

  constructor(options: AuditLogOptions) {
    this.#options = Object.freeze({ ...options });
    this.origin = options.origin;
    this.#now = options.now ?? (() => new Date());
    this.#sequencer = new Sequencer({
      store: options.store,
      origin: options.origin,
      signer: options.signer,
      now: this.#now,
      maxBatch: options.maxBatch ?? 1024,
    });
  }

  /**
   * Validates and appends one event; resolves once it is durable.
   * @throws RAMPART_AUDIT_EVENT_INVALID (nothing is appended); store errors.
   */
  async append(event: unknown): Promise<AppendReceipt> {
    // async, so that an invalid event rejects the promise rather than throwing synchronously.
    const { bytes } = toLeaf(event, this.#now(), this.#options.salt);
    return await this.#sequencer.append(bytes);
  }

  /** The number of entries. */
  size(): Promise<number> {
    return logSize(this.#options.store);
  }

  /** The latest signed checkpoint, or null for an empty log. */
  async checkpoint(): Promise<string | null> {
    return (await this.latestCheckpoint())?.note ?? null;
  }

  /** The latest signed checkpoint with the size it commits to, or null for an empty log. */
  async latestCheckpoint(): Promise<{ note: string; size: number } | null> {
    const rows = await this.#options.store.query<{ note: string; size: number }>(
      'SELECT note, size FROM audit_checkpoints ORDER BY size DESC LIMIT 1',
    );
    return rows[0] ?? null;
  }

  /** The entries from `from` (inclusive), at most `limit`. */
  async entries(from: number, limit: number): Promise<AuditEntry[]> {
    const rows = await this.#options.store.query<LeafRow>(
      'SELECT idx, leaf_hash, data, appended_at FROM audit_leaves WHERE idx >= ? ORDER BY idx LIMIT ?',
      [from, limit],
    );
    return rows.map(toEntry);
  }

  /** One entry. @throws RAMPART_AUDIT_NOT_FOUND */
  async entry(index: number): Promise<AuditEntry> {
    const [row] = await this.entries(index, 1);
    if (row?.index !== index) {
      throw new RampartError('RAMPART_AUDIT_NOT_FOUND', `no audit entry at index ${index}`, {
        details: { index },
      });
    }
    return row;
  }

  /**
   * The inclusion proof of entry `index` in the tree of `size` entries (default: all).
   * @throws RAMPART_AUDIT_NOT_FOUND, RAMPART_AUDIT_RANGE_INVALID
   */
  async inclusion(index: number, size?: number): Promise<InclusionProof> {
    const n = await this.#sizeAtMost(size);
    const reader = storeNodeReader(this.#options.store);
    const proof = await inclusionProof(reader, index, n);
    const [leaf] = await reader.readNodes([{ level: 0, index }]);
    return {
      index,
      size: n,
      leafHash: (leaf as Buffer).toString('base64'),
      root: (await rootAt(reader, n)).toString('base64'),
      proof: b64(proof),
    };
  }

  /** The consistency proof from `from` entries to `to` (default: all). */
  async consistency(from: number, to?: number): Promise<AuditProof> {
    const n = await this.#sizeAtMost(to);
    const reader = storeNodeReader(this.#options.store);
    const proof = await consistencyProof(reader, from, n);
    return { size: n, root: (await rootAt(reader, n)).toString('base64'), proof: b64(proof) };
  }

  /**
   * Recomputes everything from the stored leaves and checks every node and checkpoint.
   * @throws RAMPART_AUDIT_TAMPERED naming the first bad index.
   */
  verify(): Promise<VerifyReport> {
    // One snapshot: appends committed meanwhile by other processes are neither seen half-way
    // nor mistaken for tampering, and they are not blocked.
    return this.#options.store.transaction(
      (tx) => verifyLog(tx, this.#options.verifiers, this.origin),
      { snapshot: true },
    );
  }

  async #sizeAtMost(size: number | undefined): Promise<number> {
    const current = await this.size();
    if (size === undefined) return current;
    if (size > current) {
      throw new RampartError(
        'RAMPART_AUDIT_NOT_FOUND',
        `the log has ${current} entries, not ${size}`,
        {
          details: { size, current },
        },
      );
    }
    return size;
  }
}

type LeafRow = {
  readonly idx: number;
  readonly leaf_hash: Uint8Array;
  readonly data: string;
  readonly appended_at: string;
};

function toEntry(row: LeafRow): AuditEntry {
  return {
    index: row.idx,
    event: JSON.parse(row.data) as AuditEvent,
    data: row.data,
    leafHash: Buffer.from(row.leaf_hash).toString('hex'),
    appendedAt: row.appended_at,
  };
}

function b64(hashes: readonly Buffer[]): string[] {
  return hashes.map((h) => h.toString('base64'));
}

/** The installation's audit salt and origin, created on first use and kept in rampart_meta. */
export async function auditIdentity(store: Store): Promise<{ origin: string; salt: Buffer }> {
  const salt = await initMeta(store, 'audit_salt', randomBytes(32).toString('hex'));
  const origin = await initMeta(
    store,
    'audit_origin',
    `rampart.local/audit/${randomBytes(8).toString('hex')}`,
  );
  return { origin, salt: Buffer.from(salt, 'hex') };
}
