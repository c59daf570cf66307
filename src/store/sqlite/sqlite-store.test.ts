import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isRampartError } from '../../core/index.js';
import { runStoreWorkers } from '../../../testkit/dialects.js';
import { tempDir } from '../../../testkit/tmp.js';
import { getMeta, openStore, type Store } from '../index.js';

async function openFresh(busyTimeoutMs = 5000): Promise<{ store: Store; file: string }> {
  const file = path.join(tempDir(), 'rampart.db');
  return { store: await openStore({ kind: 'sqlite', file, busyTimeoutMs }), file };
}

describe('SqliteStore', () => {
  it('opens with WAL, foreign keys and full sync', async () => {
    const { store } = await openFresh();
    try {
      assert.deepEqual(await store.query('PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
      assert.deepEqual(await store.query('PRAGMA foreign_keys'), [{ foreign_keys: 1 }]);
      assert.deepEqual(await store.query('PRAGMA synchronous'), [{ synchronous: 2 }]);
    } finally {
      await store.close();
    }
  });

  it('refuses a file that is not a database and leaves it byte-for-byte unchanged', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'rampart.db');
    const garbage = randomBytes(8192);
    writeFileSync(file, garbage);
    await assert.rejects(
      openStore({ kind: 'sqlite', file, busyTimeoutMs: 100 }),
      (e) => isRampartError(e, 'RAMPART_STORE_CORRUPT') && e.details.path === file,
    );
    assert.deepEqual(readFileSync(file), garbage);
    assert.deepEqual(readdirSync(dir), ['rampart.db']);
  });

  it('reports a corrupt page inside a real database as RAMPART_STORE_CORRUPT', async () => {
    const { store, file } = await openFresh();
    await store.run('CREATE TABLE t (x TEXT)');
    await store.run('INSERT INTO t (x) VALUES (?)', ['row']);
    await store.close();
    const db = new Database(file);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(file);
    bytes.fill(0xff, 4096, bytes.length);
    writeFileSync(file, bytes);
    await assert.rejects(openStore({ kind: 'sqlite', file, busyTimeoutMs: 100 }), (e) =>
      isRampartError(e, 'RAMPART_STORE_CORRUPT'),
    );
  });

  it('reports RAMPART_STORE_LOCKED when another connection holds the write lock too long', async () => {
    const { store, file } = await openFresh(100);
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    try {
      await assert.rejects(store.run("INSERT INTO rampart_meta VALUES ('k', 'v')"), (e) =>
        isRampartError(e, 'RAMPART_STORE_LOCKED'),
      );
      await assert.rejects(
        store.transaction(() => Promise.resolve()),
        (e) => isRampartError(e, 'RAMPART_STORE_LOCKED'),
      );
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await store.run("INSERT INTO rampart_meta VALUES ('k', 'v')");
    await store.close();
  });

  it('names the path when the folder of the database does not exist', async () => {
    const file = path.join(tempDir(), 'missing', 'rampart.db');
    await assert.rejects(
      openStore({ kind: 'sqlite', file, busyTimeoutMs: 100 }),
      (e) => isRampartError(e, 'RAMPART_STORE_UNAVAILABLE') && e.details.path === file,
    );
  });

  it('keeps every write when two processes hammer the same file', async () => {
    const { store, file } = await openFresh();
    await store.close();
    const count = 300;
    const options = { kind: 'sqlite' as const, file, busyTimeoutMs: 20_000 };
    await runStoreWorkers(options, [
      ['hammer', 'a', String(count)],
      ['hammer', 'b', String(count)],
    ]);
    const after = await openStore(options);
    try {
      assert.equal(await getMeta(after, 'counter'), String(2 * count));
      const rows = await after.query<{ key: string }>(
        "SELECT key FROM rampart_meta WHERE key LIKE 'row-%'",
      );
      const expected = ['a', 'b'].flatMap((w) =>
        Array.from({ length: count }, (_, i) => `row-${w}-${i}`),
      );
      assert.deepEqual(rows.map((r) => r.key).sort(), expected.sort());
      assert.deepEqual(await after.query('PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
    } finally {
      await after.close();
    }
  });
});
