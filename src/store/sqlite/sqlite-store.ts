import type Database from 'better-sqlite3';
import { RampartError } from '../../core/index.js';
import { MIGRATIONS } from '../migrations/index.js';
import { readSchemaVersion, runMigrations } from '../migrator.js';
import { AsyncMutex } from '../mutex.js';
import { toSafeNumber } from '../sql.js';
import type {
  Executor,
  MigrationReport,
  Row,
  SqlValue,
  Store,
  TransactionOptions,
} from '../store.js';
import { openSqliteDatabase } from './open-sqlite.js';
import { sqliteError } from './sqlite-errors.js';

const STATEMENT_CACHE_SIZE = 200;

/** The embedded SQLite dialect: one connection, transactions serialised in-process. */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly #db: Database.Database;
  readonly #file: string;
  readonly #mutex = new AsyncMutex();
  readonly #statements = new Map<string, Database.Statement>();
  #closed = false;

  private constructor(db: Database.Database, file: string) {
    this.#db = db;
    this.#file = file;
  }

  /**
   * Opens the database file (without migrating).
   * @throws RAMPART_STORE_UNAVAILABLE, RAMPART_STORE_CORRUPT, RAMPART_STORE_LOCKED
   */
  static async open(file: string, busyTimeoutMs: number): Promise<SqliteStore> {
    return new SqliteStore(await openSqliteDatabase(file, busyTimeoutMs), file);
  }

  /** Runs a statement and returns its rows. @throws RAMPART_STORE_* codes */
  async query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    // Outside a transaction the statement runs at once; during one it waits its turn.
    return this.#mutex.busy
      ? await this.#mutex.run(() => this.#all<T>(sql, params))
      : this.#all<T>(sql, params);
  }

  /** Runs a statement for its effect. @throws RAMPART_STORE_* codes */
  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return this.#mutex.busy
      ? await this.#mutex.run(() => this.#run(sql, params))
      : this.#run(sql, params);
  }

  /**
   * Runs `fn` inside `BEGIN IMMEDIATE … COMMIT`, or a deferred (snapshot) transaction.
   * @throws RAMPART_STORE_LOCKED
   */
  async transaction<T>(
    fn: (tx: Executor) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    return this.#mutex.run(async () => {
      this.#run(options.snapshot === true ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE', []);
      let active = true;
      const tx = this.#executor(() => {
        if (!active) throw finishedTransaction();
      });
      try {
        const result = await fn(tx);
        this.#run('COMMIT', []);
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw error;
      } finally {
        active = false;
      }
    });
  }

  /** Applies pending migrations. @throws RAMPART_STORE_TOO_NEW, RAMPART_STORE_MIGRATION_FAILED */
  async migrate(): Promise<MigrationReport> {
    return runMigrations(this, MIGRATIONS);
  }

  /** The highest applied migration version. */
  async schemaVersion(): Promise<number> {
    return readSchemaVersion(this, this.dialect);
  }

  /** Checks that the database answers. @throws RAMPART_STORE_UNAVAILABLE */
  async ping(): Promise<void> {
    await this.query('SELECT 1 AS ok');
  }

  /** Waits for running transactions, then closes the connection. */
  async close(): Promise<void> {
    await this.#mutex.run(() => {
      if (this.#closed) return;
      this.#closed = true;
      this.#statements.clear();
      this.#db.close();
    });
  }

  #executor(guard: () => void): Executor {
    return {
      query: <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) =>
        settle(() => {
          guard();
          return this.#all<R>(sql, params);
        }),
      run: (sql, params = []) =>
        settle(() => {
          guard();
          return this.#run(sql, params);
        }),
    };
  }

  #all<T extends Row>(sql: string, params: readonly SqlValue[]): T[] {
    try {
      const statement = this.#prepare(sql);
      if (!statement.reader) {
        statement.run(...params);
        return [];
      }
      return statement.all(...params).map((row) => toRow(row) as T);
    } catch (error) {
      throw sqliteError(error, this.#file, sql);
    }
  }

  #run(sql: string, params: readonly SqlValue[]): { changes: number } {
    try {
      return { changes: this.#prepare(sql).run(...params).changes };
    } catch (error) {
      throw sqliteError(error, this.#file, sql);
    }
  }

  #prepare(sql: string): Database.Statement {
    if (this.#closed) {
      throw new RampartError('RAMPART_STORE_UNAVAILABLE', `${this.#file}: the store is closed`, {
        details: { path: this.#file },
      });
    }
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql).safeIntegers(true);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.clear();
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

// Integers are read as bigints so that values beyond 2^53 are refused, never rounded.
function toRow(raw: unknown): Row {
  const row: Row = {};
  for (const [column, value] of Object.entries(raw as Row)) {
    row[column] = typeof value === 'bigint' ? toSafeNumber(value, `column ${column}`) : value;
  }
  return row;
}

// Runs synchronous work as a promise, so a throw becomes a rejection.
function settle<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(fn());
  });
}

function finishedTransaction(): RampartError {
  return new RampartError(
    'RAMPART_INTERNAL',
    'a transaction executor was used after its transaction ended',
  );
}
