import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CELL_INVALID, CELL_MISSING, CELL_PRESENT, type ColumnBatch } from '../data/index.js';
import { keepFirstRows, outputLayout, outputRows, rowsTable, sameLayout } from './output-rows.js';
import type { Tensor } from './oip/types.js';

const outputs: Tensor[] = [
  { name: 'probabilities', datatype: 'FP32', shape: [2, 3], data: [0.7, 0.2, 0.1, 0.1, 0.1, 0.8] },
  { name: 'label', datatype: 'INT64', shape: [2], data: [0, 2] },
  { name: 'names', datatype: 'BYTES', shape: [2], data: ['setosa', 'virginica'] },
  { name: 'cube', datatype: 'FP32', shape: [2, 1, 1], data: [1, 2] },
];

describe('output rows (output drift)', () => {
  it('lays numeric outputs out as columns: one per element of a row, labels as integers', () => {
    const layout = outputLayout(outputs);
    assert.deepEqual(layout.names, [
      'probabilities[0]',
      'probabilities[1]',
      'probabilities[2]',
      'label',
    ]);
    assert.deepEqual(layout.types, ['number', 'number', 'number', 'integer']);
    assert.deepEqual(outputRows(layout, outputs, 2), [
      [0.7, 0.2, 0.1, 0],
      [0.1, 0.1, 0.8, 2],
    ]);
    const table = rowsTable(layout, outputRows(layout, outputs, 2));
    assert.equal(table.rows, 2);
    assert.deepEqual(Array.from(table.columns.get('probabilities[2]')?.numbers ?? []), [0.1, 0.8]);
    assert.equal(table.columns.get('label')?.type, 'integer');
  });

  it('tells outputs of another shape apart, and reads missing cells as NaN', () => {
    const layout = outputLayout(outputs);
    assert.ok(sameLayout(layout, outputs));
    assert.ok(!sameLayout(layout, outputs.slice(1)));
    const wider: Tensor[] = [{ ...outputs[0]!, shape: [1, 4] }, ...outputs.slice(1)];
    assert.ok(!sameLayout(layout, wider), 'another row width');
    const renamed: Tensor[] = [outputs[0]!, { ...outputs[1]!, name: 'class' }, ...outputs.slice(2)];
    assert.ok(!sameLayout(layout, renamed), 'another name');
    const short: Tensor[] = [{ ...outputs[0]!, data: [0.5] }, outputs[1]!];
    const [row] = outputRows(layout, short, 1);
    assert.deepEqual(row?.slice(1, 3).map(Number.isNaN), [true, true]);
  });

  it('keeps the first training rows whose numeric cells are all present and finite', async () => {
    const P = CELL_PRESENT;
    const batch = (firstRow: number, a: number[], aState: number[], b: number[]): ColumnBatch => ({
      names: ['a', 'species', 'b'],
      columns: [
        { type: 'number', values: Float64Array.from(a), state: Uint8Array.from(aState) },
        { type: 'string', values: a.map(() => 'setosa') },
        { type: 'integer', values: Float64Array.from(b), state: Uint8Array.from(b.map(() => P)) },
      ],
      rows: a.length,
      firstRow,
    });
    async function* batches() {
      // Row 1 is missing a, row 2 holds invalid text, row 3 is NaN: none can be predicted.
      yield batch(
        0,
        [1, 0, 0, Number.NaN, 5],
        [P, CELL_MISSING, CELL_INVALID, P, P],
        [10, 20, 30, 40, 50],
      );
      yield await Promise.resolve(batch(5, [6, 7, 8], [P, P, P], [60, 70, 80]));
    }
    const rows: number[][] = [];
    const passed: ColumnBatch[] = [];
    for await (const b of keepFirstRows(batches(), rows, 3)) passed.push(b);
    assert.deepEqual(rows, [
      [1, 10],
      [5, 50],
      [6, 60],
    ]);
    assert.equal(passed.length, 2, 'every batch is passed on');
  });
});
