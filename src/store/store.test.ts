import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRampartError } from '../core/index.js';
import { testDialects } from '../../testkit/dialects.js';
import { getMeta, setMeta } from './index.js';

const MAX = Number.MAX_SAFE_INTEGER;

for (const dialect of testDialects()) {
  describe(`Store contract (${dialect.name})`, { skip: dialect.skip }, () => {
    it('round-trips text, integers, null and integers near 2^53', async () => {
      const store = await dialect.open();
      await store.run('CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT, n BIGINT, note TEXT)');
      const rows: [number, string, number | bigint, string | null][] = [
        [1, 'plain', 0, null],
        [2, "it's ünïcødé ? not a placeholder", -42, 'x'],
        [3, 'max', MAX, null],
        [4, 'min', -MAX, null],
        [5, 'bigint in', BigInt(MAX), ''],
      ];
      for (const row of rows) {
        await store.run('INSERT INTO t (id, label, n, note) VALUES (?, ?, ?, ?)', row);
      }
      const back = await store.query('SELECT id, label, n, note FROM t ORDER BY id');
      assert.deepEqual(
        back,
        rows.map(([id, label, n, note]) => ({ id, label, n: Number(n), note })),
      );
    });

    it('refuses to read an integer beyond 2^53 instead of rounding it', async () => {
      const store = await dialect.open();
      await store.run('CREATE TABLE t (n BIGINT)');
      await store.run('INSERT INTO t (n) VALUES (?)', [BigInt(MAX) + 2n]);
      await assert.rejects(store.query('SELECT n FROM t'), (e) =>
        isRampartError(e, 'RAMPART_STORE_QUERY_FAILED'),
      );
      assert.deepEqual(await store.query('SELECT CAST(n AS TEXT) AS n FROM t'), [
        { n: '9007199254740993' },
      ]);
    });

    it('reports how many rows a statement changed', async () => {
      const store = await dialect.open();
      await setMeta(store, 'a', '1');
      await setMeta(store, 'b', '1');
      assert.deepEqual(await store.run("UPDATE rampart_meta SET value = '2'"), { changes: 2 });
      assert.deepEqual(await store.run("DELETE FROM rampart_meta WHERE key = 'z'"), { changes: 0 });
    });

    it('commits a transaction when its callback resolves', async () => {
      const store = await dialect.open();
      const result = await store.transaction(async (tx) => {
        await setMeta(tx, 'k', 'committed');
        return 'ok';
      });
      assert.equal(result, 'ok');
      assert.equal(await getMeta(store, 'k'), 'committed');
    });

    it('rolls back every write of a transaction whose callback throws', async () => {
      const store = await dialect.open();
      await setMeta(store, 'k', 'before');
      const failure = new Error('boom');
      await assert.rejects(
        store.transaction(async (tx) => {
          await setMeta(tx, 'k', 'during');
          await setMeta(tx, 'other', 'during');
          throw failure;
        }),
        (e) => e === failure,
      );
      assert.equal(await getMeta(store, 'k'), 'before');
      assert.equal(await getMeta(store, 'other'), undefined);
    });

    it('sees its own writes inside a transaction', async () => {
      const store = await dialect.open();
      await store.transaction(async (tx) => {
        await setMeta(tx, 'k', 'v1');
        assert.equal(await getMeta(tx, 'k'), 'v1');
        await setMeta(tx, 'k', 'v2');
        const [row] = await tx.query<{ n: number }>('SELECT count(*) AS n FROM rampart_meta');
        assert.equal(row?.n, 1);
        assert.equal(await getMeta(tx, 'k'), 'v2');
      });
    });

    it('runs concurrent transactions one after the other without losing updates', async () => {
      const store = await dialect.open();
      await setMeta(store, 'counter', '0');
      const increment = () =>
        store.transaction(async (tx) => {
          // Locks the row on PostgreSQL; SQLite transactions already exclude each other.
          const lock = dialect.name === 'postgres' ? ' FOR UPDATE' : '';
          const [row] = await tx.query<{ value: string }>(
            `SELECT value FROM rampart_meta WHERE key = 'counter'${lock}`,
          );
          await setMeta(tx, 'counter', String(Number(row?.value) + 1));
        });
      await Promise.all(Array.from({ length: 20 }, increment));
      assert.equal(await getMeta(store, 'counter'), '20');
    });

    it('reports a duplicate key as RAMPART_STORE_CONFLICT, inside and outside transactions', async () => {
      const store = await dialect.open();
      const insert = "INSERT INTO rampart_meta (key, value) VALUES ('k', 'v')";
      await store.run(insert);
      await assert.rejects(store.run(insert), (e) => isRampartError(e, 'RAMPART_STORE_CONFLICT'));
      await assert.rejects(
        store.transaction((tx) => tx.run(insert)),
        (e) => isRampartError(e, 'RAMPART_STORE_CONFLICT'),
      );
    });

    it('reports a failing statement as RAMPART_STORE_QUERY_FAILED with its cause', async () => {
      const store = await dialect.open();
      await assert.rejects(
        store.query('SELECT nope FROM no_such_table'),
        (e) => isRampartError(e, 'RAMPART_STORE_QUERY_FAILED') && e.cause instanceof Error,
      );
    });

    it('refuses a transaction executor used after its transaction ended', async () => {
      const store = await dialect.open();
      const leaked = await store.transaction((tx) => Promise.resolve(tx));
      await assert.rejects(leaked.query('SELECT 1 AS one'), (e) =>
        isRampartError(e, 'RAMPART_INTERNAL'),
      );
    });

    it('keeps ? inside string literals and comments as text', async () => {
      const store = await dialect.open();
      const rows = await store.query(
        "SELECT '?' AS q, ? AS p -- trailing ? comment\n, 'a''?' AS r",
        ['bound'],
      );
      assert.deepEqual(rows, [{ q: '?', p: 'bound', r: "a'?" }]);
    });

    it('answers ping and refuses work once closed', async () => {
      const store = await dialect.open();
      await store.ping();
      await store.close();
      await store.close();
      await assert.rejects(store.ping(), (e) => isRampartError(e, 'RAMPART_STORE_UNAVAILABLE'));
    });

    it('reads and writes settings with getMeta and setMeta', async () => {
      const store = await dialect.open();
      assert.equal(await getMeta(store, 'missing'), undefined);
      await setMeta(store, 'k', 'one');
      await setMeta(store, 'k', 'two');
      await setMeta(store, 'unicode ✓', "value with 'quotes' and ?");
      assert.equal(await getMeta(store, 'k'), 'two');
      assert.equal(await getMeta(store, 'unicode ✓'), "value with 'quotes' and ?");
    });
  });
}
