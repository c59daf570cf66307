import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { defaultConfigYaml, loadConfig, type Config } from '../config/index.js';
import { pathExists, RampartError, systemErrorCode, writeFileAtomic } from '../core/index.js';
import {
  BlobStore,
  EncryptedBlobStore,
  openStore,
  type KekProvider,
  type Store,
  type StoreOptions,
} from '../store/index.js';
import { ensureAdminToken } from './admin-token.js';
import { kekProvider } from './kek.js';
import { createOnce, ensureKeys } from './keys.js';
import { homeLayout, type HomeLayout } from './layout.js';

/** Where the state is and how to read the configuration. */
export interface OpenStateOptions {
  readonly home: string;
  /** An explicit configuration file; default `<home>/rampart.yaml`. */
  readonly configFile?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** False for read-only work: a missing state folder is then an error, not created. */
  readonly create?: boolean;
}

/** An open state folder: configuration, metadata store and blobs, ready for use. */
export interface State {
  readonly layout: HomeLayout;
  readonly config: Config;
  /** The configuration file that was read, or null when only defaults applied. */
  readonly configSource: string | null;
  readonly store: Store;
  readonly blobs: BlobStore;
  /** Blobs encrypted at rest under per-blob data keys wrapped by `kekProvider`. */
  readonly encryptedBlobs: EncryptedBlobStore;
  /** The configured key-encryption-key provider (local key files or Vault Transit). */
  readonly kekProvider: KekProvider;
  /** Paths (relative to home) that this call created; empty when all existed. */
  readonly created: readonly string[];
  close(): Promise<void>;
}

/**
 * Opens the state folder, creating whatever is missing (folder, rampart.yaml, database,
 * keys, admin token). Nothing existing is overwritten, and if any step fails everything this
 * call created is removed again, so a failed start leaves no partial state behind.
 * @throws RAMPART_CONFIG_*, RAMPART_HOME_INVALID, RAMPART_STORE_*, RAMPART_KEY_*
 */
export async function openState(options: OpenStateOptions): Promise<State> {
  const loaded = loadConfig({ home: options.home, file: options.configFile, env: options.env });
  const layout = homeLayout(options.home, loaded.config, options.configFile);
  if (options.create === false && !(await pathExists(layout.home))) {
    throw new RampartError('RAMPART_HOME_INVALID', `there is no Rampart state in ${layout.home}`, {
      hint: 'Check --home / RAMPART_HOME, or run `rampart init` to create the state folder.',
      details: { path: layout.home },
    });
  }
  const created: string[] = [];
  let store: Store | undefined;
  const provider = kekProvider(loaded.config, layout, options.env);
  try {
    await ensureFolder(layout.home, created);
    if (options.configFile === undefined && loaded.source === null) {
      const write = () =>
        writeFileAtomic(layout.configFile, defaultConfigYaml(), { mode: 0o600, exclusive: true });
      if (await createOnce(write)) created.push(layout.configFile);
    }
    const databaseIsNew = loaded.config.store.url === null && !(await pathExists(layout.database));
    store = await openStore(storeOptions(loaded.config, layout));
    if (databaseIsNew) created.push(...['', '-wal', '-shm'].map((s) => layout.database + s));
    await ensureFolder(layout.blobs, created);
    await ensureFolder(layout.keys, created);
    created.push(...(await ensureKeys(layout)));
    created.push(...(await ensureAdminToken(layout, store)));
  } catch (error) {
    await store?.close();
    await removeCreated(created);
    throw error;
  }
  const relative = created
    .filter((p) => !p.endsWith('-wal') && !p.endsWith('-shm'))
    .map((p) => path.relative(layout.home, p) || '.');
  const openStoreHandle = store;
  return {
    layout,
    config: loaded.config,
    configSource: loaded.source,
    store: openStoreHandle,
    blobs: new BlobStore(layout.blobs),
    encryptedBlobs: new EncryptedBlobStore({
      dir: layout.encryptedBlobs,
      store: openStoreHandle,
      provider,
    }),
    kekProvider: provider,
    created: relative,
    close: () => openStoreHandle.close(),
  };
}

/** The store options for a configuration: PostgreSQL when store.url is set, else SQLite. */
function storeOptions(config: Config, layout: HomeLayout): StoreOptions {
  return config.store.url === null
    ? { kind: 'sqlite', file: layout.database, busyTimeoutMs: config.store.busyTimeoutMs }
    : { kind: 'postgres', url: config.store.url, poolMax: config.store.poolMax };
}

async function ensureFolder(folder: string, created: string[]): Promise<void> {
  try {
    const info = await stat(folder);
    if (info.isDirectory()) return;
    throw new RampartError('RAMPART_HOME_INVALID', `${folder} exists and is not a folder`, {
      details: { path: folder },
    });
  } catch (error) {
    if (systemErrorCode(error) !== 'ENOENT') throw asHomeError(error, folder);
  }
  let made: string | undefined;
  try {
    made = await mkdir(folder, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw asHomeError(error, folder);
  }
  // Only what this call made is ours to remove on failure (another start may have made it).
  if (made !== undefined) created.push(made);
}

function asHomeError(error: unknown, folder: string): RampartError {
  if (error instanceof RampartError) return error;
  const reason = systemErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
  return new RampartError('RAMPART_HOME_INVALID', `cannot use ${folder} (${reason})`, {
    cause: error,
    details: { path: folder },
  });
}

async function removeCreated(created: readonly string[]): Promise<void> {
  for (const item of [...created].reverse()) {
    await rm(item, { recursive: true, force: true }).catch(() => undefined);
  }
}
