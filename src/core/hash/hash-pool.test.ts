import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { isRampartError } from '../errors.js';
import { tempDir } from '../../../testkit/tmp.js';
import { HashPool } from './hash-pool.js';

function hex(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

describe('HashPool', () => {
  const dir = tempDir();
  const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 251));
  const file = path.join(dir, 'data.bin');
  writeFileSync(file, data);
  // A tiny read buffer so every range spans many reads.
  const pool = new HashPool({ size: 2, bufferSize: 333 });
  after(() => pool.close());

  it('hashes byte ranges, whole files and empty ranges', async () => {
    const cases: [number, number | undefined][] = [
      [0, undefined],
      [0, 10_000],
      [1, 9_999],
      [4_096, 8_192],
      [9_999, 10_000],
      [5_000, 5_000],
    ];
    const results = await Promise.all(
      cases.map(([start, end]) => pool.hashRange(file, start, end)),
    );
    results.forEach((result, index) => {
      const [start, end] = cases[index]!;
      const slice = data.subarray(start, end);
      assert.deepEqual(result, { digest: hex(slice), size: slice.length });
    });
  });

  it('runs many jobs concurrently and returns each its own answer', async () => {
    const starts = Array.from({ length: 50 }, (_, i) => i * 100);
    const results = await Promise.all(
      starts.map((start) => pool.hashRange(file, start, start + 150)),
    );
    results.forEach((result, i) => {
      assert.equal(result.digest, hex(data.subarray(starts[i], starts[i]! + 150)));
    });
  });

  it('reports a missing file as RAMPART_FILE_NOT_FOUND', async () => {
    await assert.rejects(pool.hashRange(path.join(dir, 'nope')), (e) =>
      isRampartError(e, 'RAMPART_FILE_NOT_FOUND'),
    );
  });

  it('refuses symbolic links and folders as RAMPART_FILE_TYPE_UNSUPPORTED', async () => {
    const link = path.join(dir, 'link');
    symlinkSync(file, link);
    mkdirSync(path.join(dir, 'folder'));
    for (const target of [link, path.join(dir, 'folder')]) {
      await assert.rejects(pool.hashRange(target), (e) =>
        isRampartError(e, 'RAMPART_FILE_TYPE_UNSUPPORTED'),
      );
    }
  });

  it('reports a range past the end of the file as a changed file', async () => {
    await assert.rejects(pool.hashRange(file, 0, 20_000), (e) =>
      isRampartError(e, 'RAMPART_FILE_UNREADABLE'),
    );
    await assert.rejects(pool.hashRange(file, 0, 5_000, true), (e) =>
      isRampartError(e, 'RAMPART_FILE_UNREADABLE'),
    );
  });

  it('rejects invalid ranges without hashing', async () => {
    for (const [start, end] of [
      [-1, 5],
      [5, 4],
      [0.5, 2],
    ] as const) {
      await assert.rejects(pool.hashRange(file, start, end), (e) =>
        isRampartError(e, 'RAMPART_INTERNAL'),
      );
    }
    assert.throws(
      () => new HashPool({ size: 0 }),
      (e) => isRampartError(e, 'RAMPART_INTERNAL'),
    );
  });

  it('turns a worker that exits or throws into RAMPART_HASH_FAILED and keeps working', async () => {
    const exits = path.join(dir, 'exit-worker.mjs');
    writeFileSync(
      exits,
      "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n",
    );
    const throws = path.join(dir, 'throw-worker.mjs');
    writeFileSync(
      throws,
      "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => { throw new Error('boom'); });\n",
    );
    for (const script of [exits, throws]) {
      const broken = new HashPool({ size: 1, workerUrl: pathToFileURL(script) });
      try {
        await assert.rejects(broken.hashRange(file), (e) =>
          isRampartError(e, 'RAMPART_HASH_FAILED'),
        );
        // A replacement worker is started for the next job.
        await assert.rejects(broken.hashRange(file), (e) =>
          isRampartError(e, 'RAMPART_HASH_FAILED'),
        );
      } finally {
        await broken.close();
      }
    }
    assert.equal((await pool.hashRange(file)).size, data.length);
  });

  it('fails jobs after close with RAMPART_HASH_FAILED', async () => {
    const closing = new HashPool({ size: 1 });
    const jobs = [closing.hashRange(file), closing.hashRange(file), closing.hashRange(file)];
    const checks = jobs.map((job) =>
      assert.rejects(job, (e) => isRampartError(e, 'RAMPART_HASH_FAILED')),
    );
    await closing.close();
    await closing.close();
    await Promise.all(checks);
    await assert.rejects(closing.hashRange(file), (e) => isRampartError(e, 'RAMPART_HASH_FAILED'));
  });
});
