/** Which SQL database a store talks to. */
export type Dialect = 'sqlite' | 'postgres';

/** A value bound to a `?` placeholder. Booleans are not portable: store them as 0/1. */
export type SqlValue = string | number | bigint | Uint8Array | null;

/** A result row as returned by either dialect (integers as JS numbers, blobs as Buffers). */
export type Row = Record<string, unknown>;

/** Runs SQL written once with `?` placeholders against one dialect. */
export interface Executor {
  /**
   * Runs a statement and returns its rows; the row type is the caller's claim, not checked.
   * @throws RAMPART_STORE_QUERY_FAILED, RAMPART_STORE_CONFLICT, RAMPART_STORE_LOCKED,
   *   RAMPART_STORE_UNAVAILABLE
   */
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /**
   * Runs a statement for its effect and returns how many rows it changed.
   * @throws the same codes as {@link Executor.query}
   */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

/** One applied migration. */
export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
}

/** What {@link Store.migrate} did. */
export interface MigrationReport {
  /** Schema version before the call. */
  readonly from: number;
  /** Schema version after the call. */
  readonly to: number;
  /** Migrations applied by this call, in order (empty when already up to date). */
  readonly applied: readonly AppliedMigration[];
}

/** How a transaction runs. */
export interface TransactionOptions {
  /**
   * Read only, over one consistent snapshot of the database, without blocking writers in other
   * processes (SQLite: deferred transaction in WAL mode; PostgreSQL: REPEATABLE READ READ ONLY).
   */
  readonly snapshot?: boolean;
}

/** The metadata store: one interface over SQLite and PostgreSQL. */
export interface Store extends Executor {
  readonly dialect: Dialect;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Use only `tx` inside `fn`; on SQLite, calling the store itself there waits forever.
   * @throws RAMPART_STORE_LOCKED, RAMPART_STORE_UNAVAILABLE, or whatever `fn` throws
   */
  transaction<T>(fn: (tx: Executor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Applies pending migrations, one transaction each; safe to call from several processes.
   * @throws RAMPART_STORE_TOO_NEW, RAMPART_STORE_MIGRATION_FAILED, RAMPART_STORE_LOCKED
   */
  migrate(): Promise<MigrationReport>;
  /** The highest applied migration version (0 for an empty database). */
  schemaVersion(): Promise<number>;
  /** Checks that the database answers. @throws RAMPART_STORE_UNAVAILABLE */
  ping(): Promise<void>;
  /** Waits for running transactions, then releases the connection(s). Idempotent. */
  close(): Promise<void>;
}

/** Where the store lives and how to reach it. */
export type StoreOptions =
  | {
      readonly kind: 'sqlite';
      /** The database file; its folder must exist. */
      readonly file: string;
      /** How long a write waits for another process's lock before RAMPART_STORE_LOCKED. */
      readonly busyTimeoutMs: number;
      /** Run migrations on open (default true). */
      readonly migrate?: boolean;
    }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly poolMax: number;
      /** A schema to work in (created if missing), e.g. to isolate test runs. */
      readonly schema?: string;
      /** Run migrations on open (default true). */
      readonly migrate?: boolean;
    };
