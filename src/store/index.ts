export { openStore } from './open-store.js';
export type {
  AppliedMigration,
  Dialect,
  Executor,
  TransactionOptions,
  MigrationReport,
  Row,
  SqlValue,
  Store,
  StoreOptions,
} from './store.js';
export { getMeta, initMeta, setMeta } from './meta.js';
export { MIGRATIONS, portable } from './migrations/index.js';
export type { Migration } from './migrations/index.js';
export { latestVersion, readSchemaVersion, runMigrations } from './migrator.js';
export { BlobStore } from './blob-store.js';
export type { BlobLimit, BlobStoreOptions } from './blob-store.js';
export type { BlobSource, StoredBlob } from './blob-io.js';
export { nodeBlobFs } from './blob-fs.js';
export type { BlobFile, BlobFs } from './blob-fs.js';
