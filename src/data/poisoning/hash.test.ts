// The row-hash table and the typed row hashes under the poisoning signals.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HashTable64 } from './hash-table.js';
import { RowHasher } from './hash.js';
import { align, layoutOf } from './layout.js';
import { seededRandom } from './sample.js';
import { batchesOf } from './table-fixture.js';
import type { Cell, Table } from './table-fixture.js';
import type { ColumnBatch } from '../table/batch.js';

test('the hash table agrees with a Set across growth and refuses beyond its cap', () => {
  const random = seededRandom(1);
  const table = new HashTable64(50_000, 1);
  const seen = new Set<string>();
  for (let i = 0; i < 40_000; i++) {
    const hi = Math.floor(random() * 64) >>> 0;
    const lo = (Math.floor(random() * 2 ** 32) >>> 0) | 1;
    const slot = table.insert(hi, lo);
    const key = `${String(hi)}:${String(lo)}`;
    assert.equal(table.added, !seen.has(key));
    if (table.added) (table.values[0] as Uint32Array)[slot] = i;
    seen.add(key);
  }
  assert.equal(table.size, seen.size);
  for (const key of seen) {
    const [hi, lo] = key.split(':').map(Number) as [number, number];
    assert.ok(table.find(hi, lo) >= 0);
  }
  assert.equal(table.find(999, 2), -1);
  const small = new HashTable64(2);
  small.insert(1, 1);
  small.insert(2, 2);
  assert.equal(small.insert(3, 3), -1);
  assert.ok(small.full);
  assert.ok(small.insert(1, 1) >= 0, 'a known key is still found when full');
});

async function firstBatch(table: Table): Promise<ColumnBatch | undefined> {
  for await (const batch of batchesOf(table)()) return batch;
  return undefined;
}

async function hashes(table: Table, steps: number[]) {
  const batch = await firstBatch(table);
  assert.ok(batch);
  const layout = layoutOf(batch, undefined);
  const h = new RowHasher(layout, Float64Array.from(steps)).hash(
    align(batch, layout, 'x'),
    batch.rows,
  );
  const pair = (a: Uint32Array, b: Uint32Array) =>
    Array.from({ length: batch.rows }, (_, i) => `${String(a[i])}:${String(b[i])}`);
  return { exact: pair(h.e1, h.e2), near: pair(h.n1, h.n2) };
}

test('rows hash by typed value: 0 = -0, NaN = NaN, missing differs from every value', async () => {
  const rows: Cell[][] = [[0], [-0], [NaN], [Number.NaN * 0], [null], [1]];
  const { exact } = await hashes({ names: ['x'], types: ['number'], rows }, [0]);
  assert.equal(exact[0], exact[1]);
  assert.equal(exact[2], exact[3]);
  assert.equal(new Set(exact).size, 4);
});

test('near keys round numbers to the grid and normalise text; exact keys do not', async () => {
  const rows: Cell[][] = [
    [1.0, 'Red  Car'],
    [1.004, ' red car '],
    [1.2, 'red car'],
    [1.0, 'red car'],
  ];
  const { exact, near } = await hashes(
    { names: ['x', 's'], types: ['number', 'string'], rows },
    [0.1, 0],
  );
  assert.equal(new Set(exact).size, 4);
  assert.equal(near[0], near[1]);
  assert.equal(near[0], near[3]);
  assert.notEqual(near[0], near[2]);
});

test('column order and batch cuts do not change a row hash, column values do', async () => {
  const a: Table = {
    names: ['p', 'q'],
    types: ['string', 'integer'],
    rows: [
      ['ab', 1],
      ['a', 1],
    ],
  };
  const b: Table = {
    names: ['q', 'p'],
    types: ['integer', 'string'],
    rows: [
      [1, 'ab'],
      [1, 'a'],
    ],
  };
  const ba = await firstBatch(a);
  const bb = await firstBatch(b);
  assert.ok(ba && bb);
  const layout = layoutOf(ba, undefined);
  const hasher = new RowHasher(layout, new Float64Array(2));
  const ha = [...hasher.hash(align(ba, layout, 'a'), 2).e1];
  const hb = [...hasher.hash(align(bb, layout, 'b'), 2).e1];
  assert.deepEqual(ha, hb);
  assert.notEqual(ha[0], ha[1]);
});
