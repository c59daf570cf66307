import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../../../testkit/tmp.js';
import { SETTLE_NS } from './folder-cache.js';
import { hashFolder, type HashFolderOptions } from './hash-folder.js';
import { HashPool } from './hash-pool.js';
import { VerifyCache } from './verify-cache.js';

const pool = new HashPool({ size: 2 });
after(() => pool.close());

// A whole-second mtime survives utimes exactly (a Date carries only milliseconds).
function whole(root: string, name: string): string {
  utimesSync(path.join(root, name), 1_700_000_000, 1_700_000_000);
  return root;
}

function write(root: string, files: Record<string, string | Buffer>): string {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  return root;
}

const FILES = {
  'a.bin': Buffer.alloc(3000, 1),
  'sub/b.txt': 'bee\n',
  'sub/deep/c.bin': Buffer.alloc(10, 2),
  'empty.txt': '',
};

/** Hashes `root` through a cache in `cacheFolder`, saving it, as a verify does. */
async function cachedHash(
  root: string,
  cacheFolder: string,
  options: HashFolderOptions & { read?: boolean } = {},
) {
  const cache = await VerifyCache.open(cacheFolder, root, options.read ?? true);
  const manifest = await hashFolder(root, { ...options, pool, cache });
  await cache.save(root);
  return { manifest, hits: cache.hits };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('hashFolder with a VerifyCache', () => {
  const base = tempDir();
  const roots = {
    files: write(path.join(base, 'files'), FILES),
    shards: write(path.join(base, 'shards'), FILES),
    rewrite: whole(write(path.join(base, 'rewrite'), FILES), 'a.bin'),
    corrupt: write(path.join(base, 'corrupt'), FILES),
    other: write(path.join(base, 'other'), FILES),
  };
  const cacheFolder = path.join(base, 'cache');

  // Files changed within the settle window are never remembered: let the fixtures age first.
  before(() => sleep(Number(SETTLE_NS / 1_000_000n) + 100));

  it('answers an unchanged folder from the cache with the same manifest', async () => {
    const plain = await hashFolder(roots.files, { pool });
    const first = await cachedHash(roots.files, cacheFolder);
    assert.equal(first.hits, 0);
    assert.deepEqual(first.manifest, plain);
    const second = await cachedHash(roots.files, cacheFolder);
    assert.equal(second.hits, 4);
    assert.deepEqual(second.manifest, plain);
    const [file = ''] = readdirSync(cacheFolder);
    assert.equal(statSync(path.join(cacheFolder, file)).mode & 0o777, 0o600);
    const noRead = await cachedHash(roots.files, cacheFolder, { read: false });
    assert.equal(noRead.hits, 0);
    assert.deepEqual(noRead.manifest, plain);
  });

  it('caches shard digests per algorithm, never across shard sizes', async () => {
    const options = { method: 'shards', shardSize: 1024 } as const;
    const plain = await hashFolder(roots.shards, { ...options, pool });
    await cachedHash(roots.shards, cacheFolder, options);
    const again = await cachedHash(roots.shards, cacheFolder, options);
    assert.equal(again.hits, 4);
    assert.deepEqual(again.manifest, plain);
    const other = await cachedHash(roots.shards, cacheFolder, { ...options, shardSize: 2048 });
    assert.equal(other.hits, 0);
    assert.deepEqual(
      other.manifest,
      await hashFolder(roots.shards, { method: 'shards', shardSize: 2048, pool }),
    );
  });

  it('rehashes a file rewritten with the same size and its old mtime restored', async () => {
    await cachedHash(roots.rewrite, cacheFolder);
    const target = path.join(roots.rewrite, 'a.bin');
    const { atime, mtime } = statSync(target);
    writeFileSync(target, Buffer.alloc(3000, 9));
    utimesSync(target, atime, mtime);
    assert.equal(statSync(target).mtimeMs, mtime.getTime());
    const rewritten = await cachedHash(roots.rewrite, cacheFolder);
    assert.equal(rewritten.hits, 3);
    assert.deepEqual(rewritten.manifest, await hashFolder(roots.rewrite, { pool }));
    const resource = rewritten.manifest.resources.find((r) => r.name === 'a.bin');
    const first = (await hashFolder(roots.files, { pool })).resources.find(
      (r) => r.name === 'a.bin',
    );
    assert.notEqual(resource?.digest, first?.digest);
    // Changed just now: hashed, but not remembered until it has settled.
    assert.equal((await cachedHash(roots.rewrite, cacheFolder)).hits, 3);
  });

  it('ignores a corrupt, foreign or malformed cache file and rewrites it', async () => {
    const sub = path.join(base, 'cache-corrupt');
    await cachedHash(roots.corrupt, sub);
    await cachedHash(roots.other, sub);
    const names = readdirSync(sub);
    assert.equal(names.length, 2);
    const mine = names.find((name) =>
      readFileSync(path.join(sub, name), 'utf8').includes(JSON.stringify(roots.corrupt)),
    );
    const theirs = names.find((name) => name !== mine);
    assert.ok(mine !== undefined && theirs !== undefined);
    const expected = await hashFolder(roots.corrupt, { pool });

    writeFileSync(path.join(sub, mine), '{"version":1,"root":');
    let run = await cachedHash(roots.corrupt, sub);
    assert.deepEqual([run.hits, run.manifest], [0, expected]);
    assert.equal((await cachedHash(roots.corrupt, sub)).hits, 4);

    // Another root's cache file under this root's name is not ours: ignored.
    writeFileSync(path.join(sub, mine), readFileSync(path.join(sub, theirs)));
    run = await cachedHash(roots.corrupt, sub);
    assert.deepEqual([run.hits, run.manifest], [0, expected]);

    // An entry with forged digests of the wrong shape is a miss, not a wrong answer.
    const saved = JSON.parse(readFileSync(path.join(sub, mine), 'utf8')) as {
      entries: Record<string, { d: string[] }>;
    };
    const entry = saved.entries['a.bin'];
    assert.ok(entry !== undefined);
    entry.d = [...entry.d, ...entry.d];
    writeFileSync(path.join(sub, mine), JSON.stringify(saved));
    run = await cachedHash(roots.corrupt, sub);
    assert.deepEqual([run.hits, run.manifest], [3, expected]);
  });
});
