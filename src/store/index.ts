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
export { EncryptedBlobStore } from './encrypted-blobs.js';
export type { EncryptedBlobStoreOptions } from './encrypted-blobs.js';
export { countBlobKeys } from './blob-keys.js';
export type { BlobKeyCount } from './blob-keys.js';
export { DATA_KEY_SIZE } from './kek-provider.js';
export type { KekProvider, WrappedKey } from './kek-provider.js';
export { LocalKekProvider } from './kek-local.js';
export { VaultTransitProvider } from './kek-vault.js';
export type { VaultTransitOptions } from './kek-vault.js';
