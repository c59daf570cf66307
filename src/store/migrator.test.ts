import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRampartError } from '../core/index.js';
import { runStoreWorkers, testDialects } from '../../testkit/dialects.js';
import { MIGRATIONS, latestVersion, openStore, portable, runMigrations } from './index.js';
import type { MigrationReport } from './index.js';

const LATEST = latestVersion(MIGRATIONS);

for (const dialect of testDialects()) {
  describe(`migrations (${dialect.name})`, { skip: dialect.skip }, () => {
    it('brings a new database to the latest version with the initial tables', async () => {
      const store = await dialect.open();
      assert.equal(await store.schemaVersion(), LATEST);
      for (const table of ['audit_leaves', 'audit_nodes', 'audit_checkpoints']) {
        assert.deepEqual(await store.query(`SELECT COUNT(*) AS n FROM ${table}`), [{ n: 0 }]);
      }
      await store.run("INSERT INTO rampart_meta (key, value) VALUES ('k', 'v')");
      const versions = await store.query(
        'SELECT version, name FROM rampart_migrations ORDER BY version',
      );
      assert.deepEqual(
        versions,
        MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
      );
    });

    it('reports version 0 and applies everything when opened without migrating', async () => {
      const store = await dialect.open({ ...dialect.freshOptions(), migrate: false });
      assert.equal(await store.schemaVersion(), 0);
      const report = await store.migrate();
      assert.deepEqual(report, {
        from: 0,
        to: LATEST,
        applied: MIGRATIONS.map(({ version, name }) => ({ version, name })),
      });
    });

    it('applies nothing when migrated again', async () => {
      const options = dialect.freshOptions();
      await (await dialect.open(options)).close();
      const store = await dialect.open(options);
      assert.deepEqual(await store.migrate(), { from: LATEST, to: LATEST, applied: [] });
      const [row] = await store.query<{ n: number }>(
        'SELECT count(*) AS n FROM rampart_migrations',
      );
      assert.equal(row?.n, LATEST);
    });

    it('refuses to open a database written by newer code', async () => {
      const options = dialect.freshOptions();
      const store = await dialect.open(options);
      await store.run(
        "INSERT INTO rampart_migrations (version, name, applied_at) VALUES (9999, 'future', 'now')",
      );
      await store.close();
      for (const migrate of [true, false]) {
        await assert.rejects(
          openStore({ ...options, migrate }),
          (e) => isRampartError(e, 'RAMPART_STORE_TOO_NEW') && e.details.found === 9999,
        );
      }
    });

    it('rolls back a failing migration and names its number', async () => {
      const store = await dialect.open();
      const broken = {
        version: LATEST + 1,
        name: 'broken',
        statements: portable('CREATE TABLE half_done (id INTEGER)', 'SELECT * FROM no_such_table'),
      };
      await assert.rejects(
        runMigrations(store, [...MIGRATIONS, broken]),
        (e) =>
          isRampartError(e, 'RAMPART_STORE_MIGRATION_FAILED') && e.details.version === LATEST + 1,
      );
      assert.equal(await store.schemaVersion(), LATEST);
      await assert.rejects(store.query('SELECT * FROM half_done'), (e) =>
        isRampartError(e, 'RAMPART_STORE_QUERY_FAILED'),
      );
    });

    it('refuses a migration list with a gap', async () => {
      const store = await dialect.open();
      const gap = { version: LATEST + 2, name: 'gap', statements: portable('SELECT 1') };
      await assert.rejects(runMigrations(store, [...MIGRATIONS, gap]), (e) =>
        isRampartError(e, 'RAMPART_INTERNAL'),
      );
    });

    it('applies each migration once when two processes migrate at the same time', async () => {
      const options = dialect.freshOptions();
      const outputs = await runStoreWorkers(options, [['migrate'], ['migrate']]);
      const reports = outputs.map((out) => JSON.parse(out) as MigrationReport);
      assert.deepEqual(
        reports.flatMap((report) => report.applied.map((m) => m.version)).sort(),
        MIGRATIONS.map((m) => m.version),
      );
      for (const report of reports) assert.equal(report.to, LATEST);
      const store = await dialect.open(options);
      const [row] = await store.query<{ n: number }>(
        'SELECT count(*) AS n FROM rampart_migrations',
      );
      assert.equal(row?.n, LATEST);
    });
  });
}
