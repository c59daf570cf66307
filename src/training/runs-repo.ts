/** The training run tables (migration 0006). Plain SQL, the same on SQLite and PostgreSQL. */
import { RampartError, type Digest } from '../core/index.js';
import type { Executor, Store } from '../store/index.js';
import type { RunFacts } from './provenance.js';

/** A stored run: its facts, the signed provenance (DSSE envelope JSON) and its digest. */
export interface StoredRun {
  readonly facts: RunFacts;
  readonly provenance: string;
  readonly provenanceDigest: Digest;
}

/** A run in a listing. */
export interface RunSummary {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly exitCode: number | null;
  readonly principal: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly isolated: boolean;
}

type SummaryRow = {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly exit_code: number | string | null;
  readonly principal: string;
  readonly started_at: string;
  readonly finished_at: string;
  readonly isolated: number | string;
};

/** Stores a run and its outputs in one transaction. @throws RAMPART_STORE_* */
export async function insertRun(store: Store, run: StoredRun): Promise<void> {
  const f = run.facts;
  await store.transaction(async (tx: Executor) => {
    await tx.run(
      'INSERT INTO training_runs (id, name, status, exit_code, principal, started_at, finished_at, isolated, provenance, provenance_digest, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        f.id,
        f.name,
        f.status,
        f.exitCode,
        f.principal.subject,
        f.startedOn,
        f.finishedOn,
        f.isolation.held ? 1 : 0,
        run.provenance,
        run.provenanceDigest,
        JSON.stringify(f),
      ],
    );
    for (const [position, output] of f.outputs.entries()) {
      await tx.run(
        'INSERT INTO training_run_outputs (run_id, position, path, digest) VALUES (?, ?, ?, ?)',
        [f.id, position, output.path, output.digest],
      );
    }
  });
}

/** Every run, newest first. @throws RAMPART_STORE_* */
export async function listRuns(executor: Executor): Promise<RunSummary[]> {
  const rows = await executor.query<SummaryRow>(
    'SELECT id, name, status, exit_code, principal, started_at, finished_at, isolated FROM training_runs ORDER BY started_at DESC, id',
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    status: row.status,
    exitCode: row.exit_code === null ? null : Number(row.exit_code),
    principal: row.principal,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    isolated: Number(row.isolated) === 1,
  }));
}

/**
 * One run with its outputs as the outputs table has them (verify compares the two).
 * @throws RAMPART_TRAIN_RUN_NOT_FOUND, RAMPART_TRAIN_RECORD_INVALID, RAMPART_STORE_*
 */
export async function findRun(
  executor: Executor,
  id: string,
): Promise<StoredRun & { readonly outputRows: readonly { path: string; digest: string }[] }> {
  const [row] = await executor.query<{
    record: string;
    provenance: string;
    provenance_digest: string;
  }>('SELECT record, provenance, provenance_digest FROM training_runs WHERE id = ?', [id]);
  if (row === undefined) {
    throw new RampartError('RAMPART_TRAIN_RUN_NOT_FOUND', `no training run ${JSON.stringify(id)}`, {
      details: { run: id },
    });
  }
  let facts: RunFacts;
  try {
    facts = JSON.parse(row.record) as RunFacts;
  } catch (error) {
    throw new RampartError(
      'RAMPART_TRAIN_RECORD_INVALID',
      `run ${id}: the stored record is not JSON`,
      {
        cause: error,
      },
    );
  }
  const outputRows = await executor.query<{ path: string; digest: string }>(
    'SELECT path, digest FROM training_run_outputs WHERE run_id = ? ORDER BY position',
    [id],
  );
  return {
    facts,
    provenance: row.provenance,
    provenanceDigest: row.provenance_digest as Digest,
    outputRows,
  };
}
