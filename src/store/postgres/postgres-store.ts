import pg from 'pg';
import { RampartError } from '../../core/index.js';
import { MIGRATIONS } from '../migrations/index.js';
import { readSchemaVersion, runMigrations } from '../migrator.js';
import { toNumberedPlaceholders, toSafeNumber } from '../sql.js';
import type {
  Executor,
  MigrationReport,
  Row,
  SqlValue,
  Store,
  TransactionOptions,
} from '../store.js';
import { describeServer, postgresError } from './postgres-errors.js';

const CONNECT_TIMEOUT_MS = 10_000;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** How to reach the server. */
export interface PostgresStoreOptions {
  readonly url: string;
  readonly poolMax: number;
  /** A schema to work in, created if missing and put first on every connection's search_path. */
  readonly schema?: string;
}

// int8 (COUNT, BIGINT) arrives as text; read it as a number, refusing what a double would round.
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? (value: string) => toSafeNumber(value, 'int8 value')
      : (pg.types.getTypeParser(oid, format) as unknown),
};

/** The PostgreSQL dialect over a `pg.Pool`; a transaction holds one pooled client. */
export class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #server: string;
  #closed = false;

  private constructor(pool: pg.Pool, server: string) {
    this.#pool = pool;
    this.#server = server;
  }

  /**
   * Connects (creating the schema if asked), without migrating.
   * @throws RAMPART_STORE_UNAVAILABLE (naming host and port, never the password),
   *   RAMPART_CONFIG_INVALID for a malformed URL or schema name
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const server = describeServer(options.url);
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new RampartError(
        'RAMPART_CONFIG_INVALID',
        `schema name ${JSON.stringify(schema)} is not a plain lowercase identifier`,
      );
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      types: TYPES,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    // An idle client that loses its connection is dropped by the pool; the next query reports it.
    pool.on('error', () => undefined);
    const store = new PostgresStore(pool, server);
    try {
      if (schema !== undefined) await store.#createSchema(schema);
      await store.ping();
      return store;
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  /** Runs a statement and returns its rows. @throws RAMPART_STORE_* codes */
  async query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.#withClient(async (client) => (await this.#exec<T>(client, sql, params)).rows);
  }

  /** Runs a statement for its effect. @throws RAMPART_STORE_* codes */
  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return this.#withClient(async (client) => {
      const result = await this.#exec(client, sql, params);
      return { changes: result.rowCount ?? 0 };
    });
  }

  /** Runs `fn` between BEGIN and COMMIT on one client, rolling back when it throws. */
  async transaction<T>(
    fn: (tx: Executor) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    const client = await this.#connect();
    let active = true;
    let broken: Error | undefined;
    const guard = (): void => {
      if (!active)
        throw new RampartError(
          'RAMPART_INTERNAL',
          'a transaction executor was used after its transaction ended',
        );
    };
    const tx: Executor = {
      query: async <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) => {
        guard();
        return (await this.#exec<R>(client, sql, params)).rows;
      },
      run: async (sql, params = []) => {
        guard();
        return { changes: (await this.#exec(client, sql, params)).rowCount ?? 0 };
      },
    };
    try {
      const begin =
        options.snapshot === true ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN';
      await this.#exec(client, begin, []);
      const result = await fn(tx);
      await this.#exec(client, 'COMMIT', []);
      return result;
    } catch (error) {
      broken = await client.query('ROLLBACK').then(
        () => undefined,
        (rollbackError: unknown) =>
          rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError)),
      );
      throw error;
    } finally {
      active = false;
      // A client whose rollback failed is in an unknown state: destroy it rather than reuse it.
      client.release(broken);
    }
  }

  /** Applies pending migrations. @throws RAMPART_STORE_TOO_NEW, RAMPART_STORE_MIGRATION_FAILED */
  async migrate(): Promise<MigrationReport> {
    return runMigrations(this, MIGRATIONS);
  }

  /** The highest applied migration version. */
  async schemaVersion(): Promise<number> {
    return readSchemaVersion(this, this.dialect);
  }

  /** Checks that the server answers. @throws RAMPART_STORE_UNAVAILABLE */
  async ping(): Promise<void> {
    await this.query('SELECT 1 AS ok');
  }

  /** Waits for checked-out clients, then ends the pool. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #createSchema(schema: string): Promise<void> {
    try {
      await this.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } catch (error) {
      // Two processes creating the same schema at once: the loser sees a duplicate, which is fine.
      if (!(error instanceof RampartError && error.code === 'RAMPART_STORE_CONFLICT')) throw error;
    }
  }

  async #connect(): Promise<pg.PoolClient> {
    if (this.#closed) {
      throw new RampartError(
        'RAMPART_STORE_UNAVAILABLE',
        `PostgreSQL ${this.#server}: the store is closed`,
        { details: { server: this.#server } },
      );
    }
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw postgresError(error, this.#server);
    }
  }

  async #withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#connect();
    let failure: Error | undefined;
    try {
      return await fn(client);
    } catch (error) {
      if (error instanceof RampartError && error.code === 'RAMPART_STORE_UNAVAILABLE')
        failure = error;
      throw error;
    } finally {
      client.release(failure);
    }
  }

  async #exec<T extends Row>(
    client: pg.PoolClient,
    sql: string,
    params: readonly SqlValue[],
  ): Promise<pg.QueryResult<T>> {
    try {
      return await client.query<T>(toNumberedPlaceholders(sql), params.map(toPgValue));
    } catch (error) {
      throw postgresError(error, this.#server, sql);
    }
  }
}

function toPgValue(value: SqlValue): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  return typeof value === 'bigint' ? value.toString() : value;
}
