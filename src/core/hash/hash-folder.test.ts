import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { isRampartError } from '../errors.js';
import { sharedRoot } from '../../../testkit/paths.js';
import { tempDir } from '../../../testkit/tmp.js';
import { hashFolder } from './hash-folder.js';
import type { FolderManifest } from './hash-folder.js';
import { HashPool } from './hash-pool.js';
import { DEFAULT_IGNORE_PATHS } from './walk.js';

const VECTORS = path.join(sharedRoot, 'vectors', 'model-signing');

function hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The in-toto statement inside a model_signing bundle. */
function goldenStatement(folder: string): {
  subject: { digest: { sha256: string } }[];
  predicate: { resources: { name: string; digest: string }[] };
} {
  const bundle = JSON.parse(readFileSync(path.join(VECTORS, folder, 'model.sig'), 'utf8')) as {
    dsseEnvelope: { payload: string };
  };
  return JSON.parse(
    Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'),
  ) as ReturnType<typeof goldenStatement>;
}

function rootOf(manifest: FolderManifest): string {
  const root = createHash('sha256');
  for (const resource of manifest.resources) {
    root.update(Buffer.from(resource.digest.slice('sha256:'.length), 'hex'));
  }
  return `sha256:${root.digest('hex')}`;
}

function write(root: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
}

describe('hashFolder', () => {
  const pool = new HashPool({ size: 2 });
  after(() => pool.close());

  for (const folder of ['v1.0.1-elliptic-key', 'v1.1.0-elliptic-key']) {
    it(`reproduces the root digest and resources of the golden ${folder} signature`, async () => {
      const statement = goldenStatement(folder);
      const manifest = await hashFolder(path.join(VECTORS, folder), {
        ignorePaths: [...DEFAULT_IGNORE_PATHS, 'ignore-me', 'model.sig'],
        pool,
      });
      assert.equal(manifest.digest, `sha256:${statement.subject[0]!.digest.sha256}`);
      assert.deepEqual(
        manifest.resources.map(({ name, digest }) => ({
          name,
          digest: digest.slice('sha256:'.length),
        })),
        statement.predicate.resources.map(({ name, digest }) => ({ name, digest })),
      );
      assert.equal(manifest.algorithm, 'sha256');
    });
  }

  it('reproduces the golden v1.0.0 single-file signature, whose one resource is "."', async () => {
    const statement = goldenStatement('v1.0.0-elliptic-key');
    const manifest = await hashFolder(path.join(VECTORS, 'v1.0.0-elliptic-key', 'signme-1'), {
      pool,
    });
    assert.equal(manifest.digest, `sha256:${statement.subject[0]!.digest.sha256}`);
    assert.deepEqual(
      manifest.resources.map(({ name, digest }) => ({
        name,
        digest: digest.slice('sha256:'.length),
      })),
      statement.predicate.resources.map(({ name, digest }) => ({ name, digest })),
    );
  });

  it('orders resources by path components, not by JavaScript string order', async () => {
    const root = tempDir();
    // The OMS example, with `a/b/c` moved to `a/c/d` because `a/b` cannot be a file and a folder.
    const names = ['A', 'a/b', 'a/c/d', 'a b/c', 'a-b', 'a.txt', 'ab', 'ä'];
    write(root, Object.fromEntries(names.map((name) => [name, name])));
    const manifest = await hashFolder(root, { pool });
    assert.deepEqual(
      manifest.resources.map((r) => r.name),
      names,
    );
    assert.equal(manifest.digest, rootOf(manifest));
  });

  it('splits files into shards at exact multiples of the shard size', async () => {
    const root = tempDir();
    const exact = Buffer.from('0123456789ab');
    write(root, { exact, odd: Buffer.from('xyzxy'), empty: '' });
    const manifest = await hashFolder(root, { method: 'shards', shardSize: 4, pool });
    assert.equal(manifest.algorithm, 'sha256-sharded-4');
    assert.deepEqual(
      manifest.resources.map((r) => [r.name, r.digest, r.size]),
      [
        // Empty files get one empty shard, so they are covered by the root digest.
        ['empty:0:0', `sha256:${hex(Buffer.alloc(0))}`, 0],
        ['exact:0:4', `sha256:${hex(exact.subarray(0, 4))}`, 4],
        ['exact:4:8', `sha256:${hex(exact.subarray(4, 8))}`, 4],
        ['exact:8:12', `sha256:${hex(exact.subarray(8, 12))}`, 4],
        ['odd:0:4', `sha256:${hex(Buffer.from('xyzx'))}`, 4],
        ['odd:4:5', `sha256:${hex(Buffer.from('y'))}`, 1],
      ],
    );
    assert.equal(manifest.digest, rootOf(manifest));
    assert.equal(manifest.totalSize, 17);
    assert.equal(manifest.fileCount, 3);
  });

  it('orders shards by offset as integers with a shard size of 1', async () => {
    const root = tempDir();
    write(root, { f: 'abcdefghijkl' });
    const manifest = await hashFolder(root, { method: 'shards', shardSize: 1, pool });
    assert.deepEqual(
      manifest.resources.map((r) => r.name),
      Array.from({ length: 12 }, (_, i) => `f:${i}:${i + 1}`),
    );
    assert.equal(manifest.resources[10]!.digest, `sha256:${hex(Buffer.from('k'))}`);
  });

  it('covers every byte of every file exactly once in shards mode', async () => {
    const root = tempDir();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 64 }),
        fc.integer({ min: 1, max: 20 }),
        async (bytes, shardSize) => {
          writeFileSync(path.join(root, 'model.bin'), bytes);
          const manifest = await hashFolder(root, { method: 'shards', shardSize, pool });
          let offset = 0;
          for (const resource of manifest.resources) {
            const [, start, end] = resource.name.split(':').map(Number);
            assert.equal(start, offset);
            assert.equal(resource.digest, `sha256:${hex(bytes.subarray(start, end))}`);
            offset = end!;
          }
          assert.equal(offset, bytes.length);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('treats a single file root as one resource "." in both methods', async () => {
    const root = tempDir();
    write(root, { 'model.onnx': 'abcdef' });
    const file = path.join(root, 'model.onnx');
    const files = await hashFolder(file, { pool });
    assert.deepEqual(
      files.resources.map((r) => r.name),
      ['.'],
    );
    const shards = await hashFolder(file, { method: 'shards', shardSize: 4, pool });
    assert.deepEqual(
      shards.resources.map((r) => r.name),
      ['.:0:4', '.:4:6'],
    );
  });

  it('refuses symbolic links, FIFOs and sockets unless they are ignored', async () => {
    const root = tempDir();
    write(root, { real: 'x' });
    symlinkSync(path.join(root, 'real'), path.join(root, 'link'));
    await assert.rejects(hashFolder(root, { pool }), (e) => {
      return (
        isRampartError(e, 'RAMPART_FILE_TYPE_UNSUPPORTED') &&
        e.details.path === path.join(root, 'link')
      );
    });
    const ok = await hashFolder(root, { ignorePaths: ['link'], pool });
    assert.deepEqual(
      ok.resources.map((r) => r.name),
      ['real'],
    );

    const fifoRoot = tempDir();
    execFileSync('mkfifo', [path.join(fifoRoot, 'pipe')]);
    await assert.rejects(hashFolder(fifoRoot, { pool }), (e) =>
      isRampartError(e, 'RAMPART_FILE_TYPE_UNSUPPORTED'),
    );
  });

  it('ignores git paths by default, and everything below an ignored folder', async () => {
    const root = tempDir();
    write(root, {
      '.git/HEAD': 'ref',
      '.gitignore': '*.tmp',
      '.github/workflows/ci.yml': 'on: push',
      'cache/a/b.bin': 'x',
      'sub/.git/HEAD': 'nested git folders are not ignored',
      'weights.bin': 'w',
    });
    const manifest = await hashFolder(root, {
      ignorePaths: [...DEFAULT_IGNORE_PATHS, 'cache/'],
      pool,
    });
    assert.deepEqual(
      manifest.resources.map((r) => r.name),
      ['sub/.git/HEAD', 'weights.bin'],
    );
    assert.deepEqual(manifest.ignorePaths, [
      '.git',
      '.gitattributes',
      '.github',
      '.gitignore',
      'cache',
    ]);
    const everything = await hashFolder(root, { ignorePaths: [], pool });
    assert.equal(everything.resources.length, 6);
  });

  it('refuses a file name that is not valid UTF-8', async () => {
    const root = tempDir();
    writeFileSync(Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff])]), 'x');
    await assert.rejects(hashFolder(root, { pool }), (e) =>
      isRampartError(e, 'RAMPART_FILE_UNREADABLE'),
    );
  });

  it('refuses ignore paths outside the root', async () => {
    const root = tempDir();
    for (const bad of ['../x', '/elsewhere', '', '.']) {
      await assert.rejects(hashFolder(root, { ignorePaths: [bad], pool }), (e) =>
        isRampartError(e, 'RAMPART_USAGE'),
      );
    }
  });

  it('changes the root digest when one byte changes', async () => {
    const root = tempDir();
    write(root, { a: 'alpha', 'b/c': 'charlie' });
    const before = await hashFolder(root, { pool });
    write(root, { 'b/c': 'charlif' });
    const after = await hashFolder(root, { pool });
    assert.notEqual(before.digest, after.digest);
    assert.equal(before.resources[0]!.digest, after.resources[0]!.digest);
  });

  it('gives the same manifest on one worker and on several', async () => {
    const root = tempDir();
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 40; i++) files[`d${i % 4}/f${i}.bin`] = Buffer.alloc(i * 97, i);
    write(root, files);
    const single = new HashPool({ size: 1 });
    const several = new HashPool({ size: 3 });
    try {
      for (const method of ['files', 'shards'] as const) {
        const one = await hashFolder(root, { method, shardSize: 500, pool: single });
        const many = await hashFolder(root, { method, shardSize: 500, pool: several });
        assert.deepEqual(many, one);
      }
    } finally {
      await Promise.all([single.close(), several.close()]);
    }
  });

  it('starts and stops its own pool when none is given', async () => {
    const root = tempDir();
    write(root, { a: 'alpha' });
    const manifest = await hashFolder(root);
    assert.equal(manifest.resources[0]!.digest, `sha256:${hex(Buffer.from('alpha'))}`);
  });

  it('enforces the file and resource limits', async () => {
    const root = tempDir();
    write(root, { a: '1', b: '2', c: '3' });
    await assert.rejects(hashFolder(root, { maxFiles: 2, pool }), (e) =>
      isRampartError(e, 'RAMPART_LIMIT_EXCEEDED'),
    );
    const folders = tempDir();
    for (const name of ['d1', 'd2', 'd3']) mkdirSync(path.join(folders, name));
    await assert.rejects(hashFolder(folders, { maxFiles: 2, pool }), (e) =>
      isRampartError(e, 'RAMPART_LIMIT_EXCEEDED'),
    );
    await assert.rejects(
      hashFolder(root, { method: 'shards', shardSize: 1, maxResources: 2, pool }),
      (e) => isRampartError(e, 'RAMPART_LIMIT_EXCEEDED'),
    );
    await assert.rejects(hashFolder(root, { method: 'shards', shardSize: 0, pool }), (e) =>
      isRampartError(e, 'RAMPART_USAGE'),
    );
  });

  it('reports a missing root as RAMPART_FILE_NOT_FOUND', async () => {
    await assert.rejects(hashFolder(path.join(tempDir(), 'nope'), { pool }), (e) =>
      isRampartError(e, 'RAMPART_FILE_NOT_FOUND'),
    );
  });
});
