import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isRampartError } from '../errors.js';
import { tempDir } from '../../../testkit/tmp.js';
import { hashFile } from './hash-file.js';
import { HashPool } from './hash-pool.js';

describe('hashFile', () => {
  const dir = tempDir();
  const data = Buffer.alloc(300_000, 'model weights ');
  const file = path.join(dir, 'weights.bin');
  writeFileSync(file, data);
  const expected = {
    digest: `sha256:${createHash('sha256').update(data).digest('hex')}`,
    size: data.length,
  };
  const pool = new HashPool({ size: 1 });
  after(() => pool.close());

  it('hashes a small file in-process', async () => {
    assert.deepEqual(await hashFile(file, { bufferSize: 4096 }), expected);
  });

  it('hashes a file at or above the threshold in a worker, with the same result', async () => {
    assert.deepEqual(await hashFile(file, { threshold: data.length }), expected);
    assert.deepEqual(await hashFile(file, { threshold: 1, pool }), expected);
  });

  it('hashes an empty file', async () => {
    const empty = path.join(dir, 'empty');
    writeFileSync(empty, '');
    const digest = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    assert.deepEqual(await hashFile(empty), { digest, size: 0 });
    assert.deepEqual(await hashFile(empty, { threshold: 0, pool }), { digest, size: 0 });
  });

  it('follows a symbolic link the caller names, in-process and in a worker', async () => {
    const link = path.join(dir, 'link');
    symlinkSync(file, link);
    assert.deepEqual(await hashFile(link), expected);
    assert.deepEqual(await hashFile(link, { threshold: 1, pool }), expected);
  });

  it('reports a missing file as RAMPART_FILE_NOT_FOUND', async () => {
    await assert.rejects(hashFile(path.join(dir, 'missing')), (e) =>
      isRampartError(e, 'RAMPART_FILE_NOT_FOUND'),
    );
  });

  it('refuses folders and FIFOs without blocking', async () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const target of [dir, fifo]) {
      await assert.rejects(hashFile(target), (e) =>
        isRampartError(e, 'RAMPART_FILE_TYPE_UNSUPPORTED'),
      );
    }
  });
});
