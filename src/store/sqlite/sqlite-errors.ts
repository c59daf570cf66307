import { RampartError, systemErrorCode, type ErrorCode } from '../../core/index.js';
import { describeSql } from '../sql.js';

// SQLite result codes (extended codes keep the primary code as their prefix).
function classify(sqliteCode: string): ErrorCode {
  if (/^SQLITE_(BUSY|LOCKED)/.test(sqliteCode)) return 'RAMPART_STORE_LOCKED';
  if (sqliteCode === 'SQLITE_CONSTRAINT_UNIQUE' || sqliteCode === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return 'RAMPART_STORE_CONFLICT';
  }
  if (/^SQLITE_(NOTADB|CORRUPT)/.test(sqliteCode)) return 'RAMPART_STORE_CORRUPT';
  if (/^SQLITE_(CANTOPEN|READONLY|FULL|IOERR|PERM)/.test(sqliteCode)) {
    return 'RAMPART_STORE_UNAVAILABLE';
  }
  return 'RAMPART_STORE_QUERY_FAILED';
}

/** Turns a better-sqlite3 failure on `file` (optionally running `sql`) into a coded error. */
export function sqliteError(error: unknown, file: string, sql?: string): RampartError {
  if (error instanceof RampartError) return error;
  const sqliteCode = systemErrorCode(error) ?? 'unknown';
  const code = classify(sqliteCode);
  const reason = error instanceof Error ? error.message : String(error);
  const where = sql === undefined ? file : `${file} (${describeSql(sql)})`;
  return new RampartError(code, `SQLite ${where}: ${reason}`, {
    cause: error,
    details: { path: file, sqliteCode },
  });
}
