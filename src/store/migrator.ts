import { RampartError } from '../core/index.js';
import type { Migration } from './migrations/index.js';
import type { Dialect, Executor, MigrationReport, Store } from './store.js';

// Any fixed number works ('ramp' in ASCII); all Rampart processes on one database must agree.
const ADVISORY_LOCK_KEY = 0x72616d70;

const CREATE_MIGRATIONS_TABLE =
  'CREATE TABLE IF NOT EXISTS rampart_migrations ' +
  '(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)';

const TABLE_EXISTS: Record<Dialect, string> = {
  sqlite:
    "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'rampart_migrations'",
  postgres:
    'SELECT count(*) AS n FROM pg_catalog.pg_tables ' +
    "WHERE schemaname = current_schema() AND tablename = 'rampart_migrations'",
};

/** The highest applied migration version, or 0 when none (or no migrations table) exists. */
export async function readSchemaVersion(executor: Executor, dialect: Dialect): Promise<number> {
  const [exists] = await executor.query<{ n: number }>(TABLE_EXISTS[dialect]);
  if (exists?.n !== 1) return 0;
  return maxVersion(executor);
}

/** The last version in a migration list. */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.at(-1)?.version ?? 0;
}

/**
 * Applies the migrations newer than the database, each in its own transaction that re-checks
 * the version under a write lock, so concurrent callers in other processes are safe.
 * @throws RAMPART_STORE_TOO_NEW, RAMPART_STORE_MIGRATION_FAILED (rolled back), RAMPART_STORE_LOCKED
 */
export async function runMigrations(
  store: Store,
  migrations: readonly Migration[],
): Promise<MigrationReport> {
  checkSequence(migrations);
  const latest = latestVersion(migrations);
  const from = await readSchemaVersion(store, store.dialect);
  if (from > latest) throw tooNew(from, latest);
  const applied = [];
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    const done = await store.transaction((tx) => applyOne(tx, store.dialect, migration, latest));
    if (done) applied.push({ version: migration.version, name: migration.name });
  }
  return { from, to: await readSchemaVersion(store, store.dialect), applied };
}

/** A refusal to use a database written by newer code. */
export function tooNew(found: number, known: number): RampartError {
  return new RampartError(
    'RAMPART_STORE_TOO_NEW',
    `database schema version ${found} is newer than this Rampart knows (${known})`,
    { details: { found, known } },
  );
}

async function maxVersion(executor: Executor): Promise<number> {
  const [row] = await executor.query<{ v: number }>(
    'SELECT COALESCE(MAX(version), 0) AS v FROM rampart_migrations',
  );
  return row?.v ?? 0;
}

async function applyOne(
  tx: Executor,
  dialect: Dialect,
  migration: Migration,
  latest: number,
): Promise<boolean> {
  if (dialect === 'postgres') {
    await tx.query('SELECT pg_advisory_xact_lock(?)', [ADVISORY_LOCK_KEY]);
  }
  await tx.run(CREATE_MIGRATIONS_TABLE);
  const current = await maxVersion(tx);
  if (current > latest) throw tooNew(current, latest);
  // Another process applied it between our first look and taking the lock.
  if (current >= migration.version) return false;
  try {
    for (const sql of migration.statements[dialect]) await tx.run(sql);
    await tx.run('INSERT INTO rampart_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
      migration.version,
      migration.name,
      new Date().toISOString(),
    ]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RampartError(
      'RAMPART_STORE_MIGRATION_FAILED',
      `migration ${migration.version} (${migration.name}) failed: ${reason}`,
      { cause: error, details: { version: migration.version, name: migration.name } },
    );
  }
  return true;
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new RampartError(
        'RAMPART_INTERNAL',
        `migration list is not numbered 1, 2, 3, …: position ${index + 1} holds version ${migration.version}`,
        { details: { version: migration.version } },
      );
    }
  });
}
