import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outputLayout, outputRows, rowsTable, sameLayout } from './output-rows.js';
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
});
