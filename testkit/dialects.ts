import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { after } from 'node:test';
import { RampartError } from '../src/core/index.js';
import { openStore, type Dialect, type Store, type StoreOptions } from '../src/store/index.js';
import { repoRoot } from './paths.js';
import { tempDir } from './tmp.js';

const WORKER = path.join(repoRoot, 'dist', 'src', 'store', 'contract-worker.js');

/** One database the store contract runs against. */
export interface TestDialect {
  readonly name: Dialect;
  /** Why this dialect's tests are skipped, or undefined when they run. */
  readonly skip: string | undefined;
  /** Options for a fresh, empty database: a new temp file, or a new schema dropped afterwards. */
  freshOptions(): StoreOptions;
  /** Opens a store (by default on a fresh database), closed when the current test ends. */
  open(options?: StoreOptions): Promise<Store>;
}

const PG_HOWTO =
  'set RAMPART_TEST_PG_URL to a PostgreSQL URL; `scripts/pg-test-cluster.sh start /tmp/rampart-pg` starts a throwaway server and prints one';

/**
 * The dialects to test: SQLite always; PostgreSQL when RAMPART_TEST_PG_URL is set. Without
 * it the PostgreSQL tests are skipped, except under CI=true, where they fail instead.
 */
export function testDialects(): TestDialect[] {
  const url = process.env.RAMPART_TEST_PG_URL;
  const postgres =
    url !== undefined && url !== ''
      ? dialect('postgres', undefined, () => freshSchema(url))
      : process.env.CI === 'true'
        ? dialect('postgres', undefined, () => {
            throw new RampartError(
              'RAMPART_STORE_UNAVAILABLE',
              'CI=true but RAMPART_TEST_PG_URL is not set: CI must test PostgreSQL too',
              { hint: PG_HOWTO },
            );
          })
        : dialect('postgres', `PostgreSQL tests skipped: ${PG_HOWTO}`, () => {
            throw new RampartError('RAMPART_STORE_UNAVAILABLE', 'RAMPART_TEST_PG_URL is not set');
          });
  return [dialect('sqlite', undefined, freshSqlite), postgres];
}

function dialect(
  name: Dialect,
  skip: string | undefined,
  freshOptions: () => StoreOptions,
): TestDialect {
  return {
    name,
    skip,
    freshOptions,
    open: async (options = freshOptions()) => {
      const store = await openStore(options);
      after(() => store.close());
      return store;
    },
  };
}

function freshSqlite(): StoreOptions {
  return { kind: 'sqlite', file: path.join(tempDir(), 'rampart.db'), busyTimeoutMs: 5000 };
}

function freshSchema(url: string): StoreOptions {
  const schema = `rampart_test_${randomBytes(6).toString('hex')}`;
  after(async () => {
    const admin = await openStore({ kind: 'postgres', url, poolMax: 1, migrate: false });
    try {
      await admin.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await admin.close();
    }
  });
  return { kind: 'postgres', url, poolMax: 4, schema };
}

/**
 * Runs src/store/contract-worker.ts once per job, all at the same time on `options`, and
 * returns each worker's stdout. `job` is `['migrate']` or `['hammer', workerId, count]`.
 */
export async function runStoreWorkers(
  options: StoreOptions,
  jobs: readonly (readonly string[])[],
): Promise<string[]> {
  // Node takes a moment to start; a shared start time makes the workers' work overlap.
  const startAt = String(Date.now() + 750);
  const run = promisify(execFile);
  const results = await Promise.all(
    jobs.map(([mode = 'migrate', ...rest]) =>
      run(process.execPath, [WORKER, mode, JSON.stringify(options), startAt, ...rest], {
        timeout: 120_000,
      }),
    ),
  );
  return results.map((result) => result.stdout);
}
