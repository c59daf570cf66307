import pg from 'pg';
import { RampartError, type ErrorCode } from '../../core/index.js';
import { describeSql } from '../sql.js';

// SQLSTATE classes: 08 connection, 28 authorisation, 53 resources, 57 operator intervention.
const UNAVAILABLE_STATE = /^(08|28|53|57|3D000)/;

// Errors without a SQLSTATE come from the socket (reset, refused, timed out).
function classify(sqlState: string | undefined): ErrorCode {
  if (sqlState === '23505') return 'RAMPART_STORE_CONFLICT';
  if (sqlState === '55P03' || sqlState === '40P01') return 'RAMPART_STORE_LOCKED';
  if (sqlState === undefined || UNAVAILABLE_STATE.test(sqlState))
    return 'RAMPART_STORE_UNAVAILABLE';
  return 'RAMPART_STORE_QUERY_FAILED';
}

/**
 * Turns a pg failure into a coded error naming the server (`host:port/db`, never the password)
 * and, for statements, the SQL text (placeholders only, never the bound values).
 */
export function postgresError(error: unknown, server: string, sql?: string): RampartError {
  if (error instanceof RampartError) return error;
  const sqlState = error instanceof pg.DatabaseError ? error.code : undefined;
  const code = sql === undefined ? 'RAMPART_STORE_UNAVAILABLE' : classify(sqlState);
  const reason = error instanceof Error ? error.message : String(error);
  const where =
    sql === undefined ? `cannot connect to ${server}` : `${server} (${describeSql(sql)})`;
  return new RampartError(code, `PostgreSQL ${where}: ${reason}`, {
    cause: error,
    details: { server, ...(sqlState === undefined ? {} : { sqlState }) },
  });
}

/**
 * `host:port/database` from a connection URL, without user or password.
 * @throws RAMPART_CONFIG_INVALID when the URL does not parse (the URL itself is not echoed)
 */
export function describeServer(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RampartError(
      'RAMPART_CONFIG_INVALID',
      'the PostgreSQL connection URL does not parse',
      {
        hint: 'Use postgres://user@host:port/database (the URL is not shown: it may hold a password).',
      },
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new RampartError(
      'RAMPART_CONFIG_INVALID',
      `the PostgreSQL connection URL has scheme ${parsed.protocol} instead of postgres:`,
    );
  }
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}
