// `npm run bench -- audit`: durable appends to the SQLite-backed audit log, proofs and full
// verification at 1,000,000 entries; against raw better-sqlite3 inserts and an in-memory tree.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateKeyPair, localSigner } from '../src/core/index.js';
import { openStore, type Store } from '../src/store/index.js';
import {
  AuditLog,
  leafHash,
  MemoryTree,
  noteSigner,
  parseVerifierKey,
  toLeaf,
  verifierKey,
  type AuditEventInput,
} from '../src/audit/index.js';
import { consistencyProof, inclusionProof } from '../src/audit/merkle/proofs.js';
import { round3, timed, type BenchResult } from './result.js';

const ORIGIN = 'rampart.bench/audit';
const SALT = Buffer.alloc(32, 9);
const APPENDS = 20_000;
const WRITERS = [1, 8, 64] as const;
const BIG = 1_000_000;
const BIG_WAVE = 20_000;
const PROOFS = 1000;

function progress(message: string): void {
  process.stderr.write(`audit: ${message}\n`);
}

function event(i: number): AuditEventInput {
  return {
    actor: { subject: `svc-${i % 97}`, type: 'service', source: `10.0.${i % 256}.1` },
    action: 'inference.allow',
    resource: { type: 'model', id: `fraud@${i % 13}` },
    decision: { allowed: i % 5 !== 0 },
    correlationId: `req-${i}`,
  };
}

function newLog(store: Store, maxBatch?: number): AuditLog {
  const { privateKey, publicKey } = generateKeyPair('ed25519');
  return new AuditLog({
    store,
    origin: ORIGIN,
    signer: noteSigner(ORIGIN, localSigner(privateKey), publicKey),
    verifiers: [parseVerifierKey(verifierKey(ORIGIN, publicKey))],
    salt: SALT,
    ...(maxBatch === undefined ? {} : { maxBatch }),
  });
}

async function withStore<T>(
  dir: string,
  name: string,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore({
    kind: 'sqlite',
    file: path.join(dir, name),
    busyTimeoutMs: 5000,
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

interface WriterFigures {
  readonly appendsPerS: number;
  readonly p50: number;
  readonly p99: number;
  readonly meanBatch: number;
}

/** `writers` loops, each awaiting its append before the next, APPENDS in all. */
async function appendRun(dir: string, writers: number): Promise<WriterFigures> {
  return withStore(dir, `writers-${writers}.db`, async (store) => {
    const log = newLog(store);
    const latencies = new Float64Array(APPENDS);
    let next = 0;
    const writer = async (): Promise<void> => {
      for (let i = next++; i < APPENDS; i = next++) {
        const start = process.hrtime.bigint();
        await log.append(event(i));
        latencies[i] = Number(process.hrtime.bigint() - start) / 1e6;
      }
    };
    const { seconds } = await timed(() => Promise.all(Array.from({ length: writers }, writer)));
    const [row] = await store.query<{ n: number }>('SELECT COUNT(*) AS n FROM audit_checkpoints');
    latencies.sort();
    return {
      appendsPerS: APPENDS / seconds,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      meanBatch: APPENDS / (row?.n ?? APPENDS),
    };
  });
}

/** The cost floor: the same leaf rows, one synchronous=FULL transaction per batch. */
function rawInsertsPerS(dir: string, batch: number): number {
  const db = new Database(path.join(dir, `raw-${batch}.db`));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(
      'CREATE TABLE audit_leaves (idx INTEGER PRIMARY KEY, leaf_hash BLOB NOT NULL, data TEXT NOT NULL, appended_at TEXT NOT NULL)',
    );
    const now = new Date();
    const rows = Array.from({ length: APPENDS }, (_, i) => {
      const bytes = toLeaf(event(i), now, SALT).bytes;
      return { hash: leafHash(bytes), data: bytes.toString('utf8') };
    });
    const insert = db.prepare('INSERT INTO audit_leaves VALUES (?, ?, ?, ?)');
    const commit = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const row = rows[i];
        if (row !== undefined) insert.run(i, row.hash, row.data, now.toISOString());
      }
    });
    const start = process.hrtime.bigint();
    for (let at = 0; at < APPENDS; at += batch) commit(at, Math.min(APPENDS, at + batch));
    return APPENDS / (Number(process.hrtime.bigint() - start) / 1e9);
  } finally {
    db.close();
  }
}

/** Fills the log to BIG entries with large group commits; returns appends/s. */
async function fill(log: AuditLog): Promise<number> {
  const { seconds } = await timed(async () => {
    for (let at = 0; at < BIG; at += BIG_WAVE) {
      await Promise.all(Array.from({ length: BIG_WAVE }, (_, i) => log.append(event(at + i))));
      if ((at + BIG_WAVE) % 200_000 === 0) progress(`filled ${at + BIG_WAVE} entries`);
    }
  });
  return BIG / seconds;
}

// A fixed pseudo-random sequence (LCG), so that runs are comparable.
function picks(count: number, below: number): number[] {
  let x = 12345;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % below;
  });
}

/** Mean milliseconds of `fn` over the picked arguments. */
async function meanMs(
  args: readonly number[],
  fn: (n: number) => Promise<unknown>,
): Promise<number> {
  const { seconds } = await timed(async () => {
    for (const n of args) await fn(n);
  });
  return (seconds * 1000) / args.length;
}

async function memoryTree(store: Store): Promise<MemoryTree> {
  const tree = new MemoryTree();
  for (let at = 0; at < BIG; at += 50_000) {
    const rows = await store.query<{ leaf_hash: Uint8Array }>(
      'SELECT leaf_hash FROM audit_leaves WHERE idx >= ? ORDER BY idx LIMIT 50000',
      [at],
    );
    for (const row of rows) tree.append(Buffer.from(row.leaf_hash));
  }
  return tree;
}

async function bigLog(dir: string): Promise<Record<string, number>> {
  return withStore(dir, 'big.db', async (store) => {
    const log = newLog(store, 10_000);
    const fillPerS = await fill(log);
    const indexes = picks(PROOFS, BIG);
    const sizes = picks(PROOFS, BIG - 1).map((n) => n + 1);
    progress('proofs');
    const inclusion = await meanMs(indexes, (i) => log.inclusion(i, BIG));
    const consistency = await meanMs(sizes, (s) => log.consistency(s, BIG));
    const tree = await memoryTree(store);
    const memInclusion = await meanMs(indexes, (i) => inclusionProof(tree, i, BIG));
    const memConsistency = await meanMs(sizes, (s) => consistencyProof(tree, s, BIG));
    progress('full verify');
    const { seconds } = await timed(() => log.verify());
    return {
      fillPerS,
      inclusion,
      consistency,
      memInclusion,
      memConsistency,
      verifyPerS: BIG / seconds,
    };
  });
}

/** Runs the benchmark and returns its result line. */
export async function run(): Promise<BenchResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rampart-bench-audit-'));
  try {
    const metrics: Record<string, number> = {};
    const baseline: Record<string, number | string> = {};
    const ratio: Record<string, number> = {};
    let best: (WriterFigures & { writers: number }) | undefined;
    for (const writers of WRITERS) {
      const figures = await appendRun(dir, writers);
      const raw = rawInsertsPerS(dir, Math.max(1, Math.round(figures.meanBatch)));
      progress(
        `${writers} writers: ${Math.round(figures.appendsPerS)} appends/s, raw ${Math.round(raw)}/s`,
      );
      metrics[`appends_per_s_c${writers}`] = Math.round(figures.appendsPerS);
      metrics[`append_p50_ms_c${writers}`] = round3(figures.p50);
      metrics[`append_p99_ms_c${writers}`] = round3(figures.p99);
      metrics[`mean_batch_c${writers}`] = round3(figures.meanBatch);
      baseline[`raw_inserts_per_s_c${writers}`] = Math.round(raw);
      ratio[`appends_vs_raw_c${writers}`] = round3(figures.appendsPerS / raw);
      if (best === undefined || figures.appendsPerS > best.appendsPerS)
        best = { ...figures, writers };
    }
    const big = await bigLog(dir);
    return {
      bench: 'audit',
      metrics: {
        appends_per_s: Math.round(best?.appendsPerS ?? 0),
        append_p50_ms: round3(best?.p50 ?? 0),
        append_p99_ms: round3(best?.p99 ?? 0),
        best_writers: best?.writers ?? 0,
        inclusion_proof_ms_1m: round3(big.inclusion ?? 0),
        consistency_proof_ms_1m: round3(big.consistency ?? 0),
        verify_entries_per_s: Math.round(big.verifyPerS ?? 0),
        fill_appends_per_s_batch_10k: Math.round(big.fillPerS ?? 0),
        ...metrics,
      },
      baseline: {
        ...baseline,
        memory_tree_inclusion_proof_ms_1m: round3(big.memInclusion ?? 0),
        memory_tree_consistency_proof_ms_1m: round3(big.memConsistency ?? 0),
        store: 'SQLite WAL, synchronous=FULL',
      },
      ratio: {
        ...ratio,
        inclusion_vs_memory: round3((big.inclusion ?? 0) / (big.memInclusion ?? 1)),
        consistency_vs_memory: round3((big.consistency ?? 0) / (big.memConsistency ?? 1)),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
