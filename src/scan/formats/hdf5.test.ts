import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../../testkit/paths.js';
import { scanSource } from '../engine.js';
import { BufferSource } from '../source.js';

const KERAS_H5 = path.join(repoRoot, 'test', 'fixtures', 'scan', 'benign', 'keras_sequential.h5');

describe('HDF5 reading on a worker with a deadline', () => {
  it('reports a read that overruns the deadline as a problem, and recovers for the next file', async () => {
    const bytes = readFileSync(KERAS_H5);
    // 1 ms is shorter than starting a reader at all, so this read is always cut off.
    const cut = await scanSource(new BufferSource(bytes), 'model.h5', {
      limits: { hdf5TimeoutMs: 1 },
    });
    assert.deepEqual(
      cut.problems.map((p) => p.code),
      ['hdf5-timeout'],
    );
    const next = await scanSource(new BufferSource(bytes), 'model.h5');
    assert.deepEqual(next.problems, []);
    assert.deepEqual(next.findings, []);
    assert.deepEqual(next.scanned[0]?.formats, ['hdf5']);
  });
});
