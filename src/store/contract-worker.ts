// A child process for the store's concurrency tests (not part of the public API):
//   node contract-worker.js migrate <StoreOptions JSON> <startAtMs>
//   node contract-worker.js hammer <StoreOptions JSON> <startAtMs> <workerId> <count>
// Both workers wait until startAtMs so that their work overlaps; the result goes to stdout.
import { setTimeout as sleep } from 'node:timers/promises';
import { getMeta, setMeta } from './meta.js';
import { openStore } from './open-store.js';
import type { Store, StoreOptions } from './store.js';

async function hammer(store: Store, worker: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await store.transaction(async (tx) => {
      const value = Number((await getMeta(tx, 'counter')) ?? '0');
      await setMeta(tx, 'counter', String(value + 1));
    });
    await setMeta(store, `row-${worker}-${i}`, String(i));
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const [mode, json = '{}', startAt = '0', worker = 'w', count = '0'] = argv;
  const options = JSON.parse(json) as StoreOptions;
  await sleep(Math.max(0, Number(startAt) - Date.now()));
  const store = await openStore({ ...options, migrate: false });
  try {
    if (mode === 'migrate') {
      process.stdout.write(`${JSON.stringify(await store.migrate())}\n`);
    } else {
      await hammer(store, worker, Number(count));
      process.stdout.write('done\n');
    }
  } finally {
    await store.close();
  }
}

await main(process.argv.slice(2));
