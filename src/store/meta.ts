import type { Executor } from './store.js';

/** Reads a rampart_meta setting; undefined when the key is not set. @throws RAMPART_STORE_* */
export async function getMeta(executor: Executor, key: string): Promise<string | undefined> {
  const [row] = await executor.query<{ value: string }>(
    'SELECT value FROM rampart_meta WHERE key = ?',
    [key],
  );
  return row?.value;
}

/** Writes (inserts or replaces) a rampart_meta setting. @throws RAMPART_STORE_* */
export async function setMeta(executor: Executor, key: string, value: string): Promise<void> {
  await executor.run(
    'INSERT INTO rampart_meta (key, value) VALUES (?, ?) ' +
      'ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    [key, value],
  );
}

/**
 * Sets a rampart_meta setting only if it is not set yet, and returns the value that holds
 * afterwards (this one, or the one another process set first). @throws RAMPART_STORE_*
 */
export async function initMeta(executor: Executor, key: string, value: string): Promise<string> {
  await executor.run(
    'INSERT INTO rampart_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING',
    [key, value],
  );
  return (await getMeta(executor, key)) ?? value;
}
