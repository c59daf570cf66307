// Edge cases of the poisoning check: empty and single-row tables, missing label, all-missing
// columns, mismatched tables, bad options, capped hash tables, naturally repetitive data.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isRampartError } from '../../core/index.js';
import { detectPoisoning } from './index.js';
import type { PoisoningReport, SignalName } from './index.js';
import { batchesOf, generateTable, splitHalves } from './table-fixture.js';
import type { Table } from './table-fixture.js';

const [reference, current] = splitHalves(generateTable(2000, 5), 6);

function flagged(report: PoisoningReport): SignalName[] {
  return report.signals.filter((s) => s.flagged).map((s) => s.name);
}

function rejects(code: string): (e: unknown) => boolean {
  return (e) => isRampartError(e) && e.code === code && e.message.length > 0;
}

test('an empty current table flags only the volume drop', async () => {
  const empty: Table = { ...current, rows: [] };
  const report = await detectPoisoning({
    reference: batchesOf(reference),
    current: batchesOf(empty),
    labelColumn: 'label',
  });
  assert.equal(report.rows.current, 0);
  assert.deepEqual(flagged(report), ['volume_change']);
  for (const s of report.signals.filter((x) => x.name !== 'volume_change')) {
    assert.ok(
      s.name === 'label_shift' ? s.score === 1 : s.score === 0,
      `${s.name} ${String(s.score)}`,
    );
  }
});

test('zero-row batches count as an empty table', async () => {
  const columns = current.types.map((type) =>
    type === 'string'
      ? { type, values: [] }
      : type === 'boolean'
        ? { type, values: new Uint8Array(0), state: new Uint8Array(0) }
        : { type, values: new Float64Array(0), state: new Uint8Array(0) },
  );
  async function* zero() {
    await Promise.resolve();
    for (let i = 0; i < 3; i++) yield { names: current.names, columns, rows: 0, firstRow: 0 };
  }
  const report = await detectPoisoning({ reference: batchesOf(reference), current: zero });
  assert.equal(report.rows.current, 0);
  assert.deepEqual(flagged(report), ['volume_change']);
});

test('a missing label column is a clear error on either side', async () => {
  const noLabel: Table = {
    names: current.names.slice(0, 7),
    types: current.types.slice(0, 7),
    rows: current.rows.map((r) => r.slice(0, 7)),
  };
  await assert.rejects(
    detectPoisoning({
      reference: batchesOf(reference),
      current: batchesOf(current),
      labelColumn: 'target',
    }),
    rejects('RAMPART_POISONING_LABEL_MISSING'),
  );
  await assert.rejects(
    detectPoisoning({
      reference: batchesOf(reference),
      current: batchesOf(noLabel),
      labelColumn: 'label',
    }),
    (e) =>
      rejects('RAMPART_POISONING_LABEL_MISSING')(e) && (e as Error).message.includes('current'),
  );
});

test('all-missing columns neither crash nor flag', async () => {
  const blank = (t: Table): Table => ({
    names: [...t.names, 'gone', 'void'],
    types: [...t.types, 'number', 'string'],
    rows: t.rows.map((r) => [...r, null, null]),
  });
  const report = await detectPoisoning({
    reference: batchesOf(blank(reference)),
    current: batchesOf(blank(current)),
    labelColumn: 'label',
  });
  assert.deepEqual(flagged(report), []);
});

test('a single row on each side gives a report', async () => {
  const one = (t: Table): Table => ({ ...t, rows: t.rows.slice(0, 1) });
  const report = await detectPoisoning({
    reference: batchesOf(one(reference)),
    current: batchesOf(one(current)),
    labelColumn: 'label',
  });
  assert.equal(report.rows.current, 1);
  assert.equal(report.signals.length, 8);
  for (const s of report.signals) assert.ok(Number.isFinite(s.score), s.name);
});

test('an empty reference, other columns or other types are refused', async () => {
  await assert.rejects(
    detectPoisoning({
      reference: batchesOf({ ...reference, rows: [] }),
      current: batchesOf(current),
    }),
    rejects('RAMPART_POISONING_INPUT_INVALID'),
  );
  const renamed: Table = { ...current, names: current.names.map((n) => (n === 'x1' ? 'y1' : n)) };
  await assert.rejects(
    detectPoisoning({ reference: batchesOf(reference), current: batchesOf(renamed) }),
    (e) => rejects('RAMPART_POISONING_INPUT_INVALID')(e) && (e as Error).message.includes('"x1"'),
  );
  const retyped: Table = {
    ...current,
    types: current.types.map((t, i) => (i === 0 ? 'string' : t)),
  };
  await assert.rejects(
    detectPoisoning({ reference: batchesOf(reference), current: batchesOf(retyped) }),
    rejects('RAMPART_POISONING_INPUT_INVALID'),
  );
});

test('columns may come in another order in current', async () => {
  const order = [7, 3, 0, 1, 2, 6, 5, 4];
  const shuffled: Table = {
    names: order.map((i) => current.names[i] as string),
    types: order.map((i) => current.types[i] ?? 'string'),
    rows: current.rows.map((r) => order.map((i) => r[i] ?? null)),
  };
  const run = (t: Table) =>
    detectPoisoning({
      reference: batchesOf(reference),
      current: batchesOf(t),
      labelColumn: 'label',
    });
  assert.deepEqual(await run(shuffled), await run(current));
});

test('bad options and history are refused', async () => {
  const input = { reference: batchesOf(reference), current: batchesOf(current) };
  await assert.rejects(
    detectPoisoning(input, { outlierZ: -1 }),
    rejects('RAMPART_POISONING_OPTIONS_INVALID'),
  );
  await assert.rejects(
    detectPoisoning(input, { nope: 1 } as never),
    rejects('RAMPART_POISONING_OPTIONS_INVALID'),
  );
  await assert.rejects(
    detectPoisoning({ ...input, history: [10, -1] }),
    rejects('RAMPART_POISONING_INPUT_INVALID'),
  );
});

test('capped hash tables mark their signals incomplete instead of failing', async () => {
  const report = await detectPoisoning(
    { reference: batchesOf(reference), current: batchesOf(current), labelColumn: 'label' },
    { maxHashEntries: 100 },
  );
  const incomplete = report.signals.filter((s) => s.incomplete === true).map((s) => s.name);
  assert.deepEqual(incomplete, [
    'duplicate_rows',
    'reference_copies',
    'near_duplicates',
    'label_flips',
  ]);
  assert.ok(
    report.signals.find((s) => s.name === 'duplicate_rows')?.summary.includes('lower bound'),
  );
});

test('naturally repetitive data stays quiet: baselines absorb duplicates and label noise', async () => {
  // Only low-cardinality columns: exact duplicates, grid collisions and same-features-other-label
  // rows are common in clean data, and the current table is a third of the reference's size.
  const coarse = (t: Table, rows: number): Table => ({
    names: ['age', 'colour', 'flag', 'label'],
    types: ['integer', 'string', 'boolean', 'string'],
    rows: t.rows
      .slice(0, rows)
      .map((r) => [r[4] ?? null, r[5] ?? null, r[6] ?? null, r[7] ?? null]),
  });
  const [ref, cur] = splitHalves(generateTable(12_000, 9), 10);
  const report = await detectPoisoning(
    {
      reference: batchesOf(coarse(ref, 6000)),
      current: batchesOf(coarse(cur, 2000)),
      labelColumn: 'label',
    },
    { volumeRatio: 4 },
  );
  const scores = Object.fromEntries(report.signals.map((s) => [s.name, s.score]));
  assert.deepEqual(flagged(report), [], JSON.stringify(scores));
});
