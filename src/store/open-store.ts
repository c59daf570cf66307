import { MIGRATIONS } from './migrations/index.js';
import { latestVersion, tooNew } from './migrator.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store, StoreOptions } from './store.js';

/**
 * Opens the metadata store and brings its schema up to date (unless `migrate: false`, which
 * still refuses a database newer than the code).
 * @throws RAMPART_STORE_UNAVAILABLE, RAMPART_STORE_CORRUPT, RAMPART_STORE_LOCKED,
 *   RAMPART_STORE_TOO_NEW, RAMPART_STORE_MIGRATION_FAILED, RAMPART_CONFIG_INVALID
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  // The PostgreSQL driver is loaded only for a PostgreSQL store (it costs every CLI start).
  const store =
    options.kind === 'sqlite'
      ? await SqliteStore.open(options.file, options.busyTimeoutMs)
      : await (await import('./postgres/postgres-store.js')).PostgresStore.open(options);
  try {
    if (options.migrate === false) {
      const version = await store.schemaVersion();
      const known = latestVersion(MIGRATIONS);
      if (version > known) throw tooNew(version, known);
    } else {
      await store.migrate();
    }
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}
