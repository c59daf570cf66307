import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '../core/index.js';
import { changedRanges } from './compare.js';
import { parseCollectedAt, parseDatasetRef } from './names.js';

describe('dataset references and provenance fields', () => {
  it('parses name, name@N and name@sha256 references and refuses the rest', () => {
    const digest = sha256('x');
    assert.deepEqual(parseDatasetRef('raw'), { name: 'raw', version: { kind: 'latest' } });
    assert.deepEqual(parseDatasetRef('raw.v2_x-y@12'), {
      name: 'raw.v2_x-y',
      version: { kind: 'sequence', sequence: 12 },
    });
    assert.deepEqual(parseDatasetRef(`raw@${digest}`), {
      name: 'raw',
      version: { kind: 'digest', digest },
    });
    for (const bad of [
      '',
      'Raw',
      '-raw',
      'raw@0',
      'raw@01',
      'raw@latest',
      'a/b@1',
      'raw@sha256:AB',
    ]) {
      assert.throws(() => parseDatasetRef(bad), { code: 'RAMPART_DATASET_NAME_INVALID' }, bad);
    }
    assert.throws(() => parseDatasetRef('raw', true), { code: 'RAMPART_DATASET_NAME_INVALID' });
  });

  it('normalises RFC 3339 times and dates to UTC and refuses impossible ones', () => {
    assert.equal(parseCollectedAt('2026-03-01'), '2026-03-01T00:00:00.000Z');
    assert.equal(parseCollectedAt('2026-03-01T12:30:00+02:00'), '2026-03-01T10:30:00.000Z');
    assert.equal(parseCollectedAt('2024-02-29T00:00:00.5Z'), '2024-02-29T00:00:00.500Z');
    for (const bad of [
      '2026-02-29',
      '2026-13-01',
      '2026-03-01T24:00:00Z',
      '2026-03-01T12:00',
      'now',
    ]) {
      assert.throws(() => parseCollectedAt(bad), { code: 'RAMPART_DATASET_INPUT_INVALID' }, bad);
    }
  });

  it('names changed chunk ranges, merging neighbours and covering growth and shrinkage', () => {
    const [a, b, c] = [sha256('a'), sha256('b'), sha256('c')];
    assert.deepEqual(changedRanges([a, b, c], [a, b, c], 10, 30), []);
    assert.deepEqual(changedRanges([a, b, c], [c, b, a], 10, 30), [
      { start: 0, end: 10 },
      { start: 20, end: 30 },
    ]);
    assert.deepEqual(changedRanges([a, b], [a, c, c], 10, 25), [{ start: 10, end: 25 }]);
    assert.deepEqual(changedRanges([a, b, c], [a], 10, 28), [{ start: 10, end: 28 }]);
  });
});
