import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { RampartError, fileError, systemErrorCode } from '../../core/index.js';
import { sqliteError } from './sqlite-errors.js';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Opens (creating if absent) the database file with WAL, foreign keys and full sync. A file
 * that is not a SQLite database is refused before SQLite touches it, so it stays unchanged.
 * @throws RAMPART_STORE_UNAVAILABLE (missing folder), RAMPART_STORE_CORRUPT, RAMPART_STORE_LOCKED
 */
export async function openSqliteDatabase(
  file: string,
  busyTimeoutMs: number,
): Promise<Database.Database> {
  await checkFolder(path.dirname(file), file);
  await checkHeader(file);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { timeout: busyTimeoutMs });
    await switchToWal(db, busyTimeoutMs);
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = FULL');
    return db;
  } catch (error) {
    db?.close();
    throw sqliteError(error, file);
  }
}

/**
 * Sets WAL mode, retrying while another process holds the lock: when two processes open a new
 * database at once, SQLite can answer SQLITE_BUSY here without calling its busy handler.
 */
async function switchToWal(db: Database.Database, busyTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + busyTimeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const busy = systemErrorCode(error) === 'SQLITE_BUSY';
      if (!busy || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

async function checkFolder(folder: string, file: string): Promise<void> {
  try {
    if ((await stat(folder)).isDirectory()) return;
  } catch (error) {
    if (systemErrorCode(error) !== 'ENOENT')
      throw fileError(error, folder, 'RAMPART_STORE_UNAVAILABLE');
  }
  throw new RampartError(
    'RAMPART_STORE_UNAVAILABLE',
    `${file}: the folder ${folder} does not exist`,
    {
      hint: 'Create the state folder first (`rampart init`), or fix the store path.',
      details: { path: file },
    },
  );
}

// SQLite would reject a foreign file too, but only after creating -wal/-shm files beside it.
async function checkHeader(file: string): Promise<void> {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  let bytesRead: number;
  try {
    const handle = await open(file, 'r');
    try {
      ({ bytesRead } = await handle.read(header, 0, header.length, 0));
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return;
    throw fileError(error, file, 'RAMPART_STORE_UNAVAILABLE');
  }
  if (bytesRead === 0) return;
  if (bytesRead < header.length || !header.equals(SQLITE_HEADER)) {
    throw new RampartError('RAMPART_STORE_CORRUPT', `${file} is not a SQLite database`, {
      details: { path: file },
    });
  }
}
