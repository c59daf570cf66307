// Each poisoning signal fires on its crafted attack and stays quiet on a clean split of the
// same generated table (two seeded random halves).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { detectPoisoning } from './index.js';
import type { PoisoningReport, PoisoningSignal, SignalName } from './index.js';
import { seededRandom } from './sample.js';
import { batchesOf, generateTable, normal, splitHalves } from './table-fixture.js';
import type { Cell, Table } from './table-fixture.js';

const [reference, clean] = splitHalves(generateTable(8000, 1), 2);
const LABEL = 7;

async function check(current: Table, history?: number[]): Promise<PoisoningReport> {
  return detectPoisoning({
    reference: batchesOf(reference),
    current: batchesOf(current),
    labelColumn: 'label',
    ...(history === undefined ? {} : { history }),
  });
}

function get(report: PoisoningReport, name: SignalName): PoisoningSignal {
  const found = report.signals.find((s) => s.name === name);
  assert.ok(found, `signal ${name} is reported`);
  return found;
}

function flaggedNames(report: PoisoningReport): SignalName[] {
  return report.signals.filter((s) => s.flagged).map((s) => s.name);
}

function withRows(extra: Cell[][], base: Table = clean): Table {
  return { ...base, rows: [...base.rows, ...extra] };
}

/** `share` of the base table's row count, drawn from `from` with the seeded generator. */
function pick(from: Table, share: number, seed: number): Cell[][] {
  const random = seededRandom(seed);
  const n = Math.round(clean.rows.length * share);
  return Array.from({ length: n }, () => [
    ...(from.rows[Math.floor(random() * from.rows.length)] ?? []),
  ]);
}

test('a clean split raises no signal, and every signal is reported', async () => {
  const report = await check(clean);
  assert.deepEqual(flaggedNames(report), [], JSON.stringify(report.signals, null, 1));
  assert.equal(report.flagged, false);
  assert.deepEqual(
    report.signals.map((s) => s.name),
    [
      'volume_change',
      'duplicate_rows',
      'reference_copies',
      'near_duplicates',
      'label_shift',
      'label_flips',
      'outliers',
      'new_categories',
    ],
  );
  for (const s of report.signals) {
    assert.ok(s.summary.length > 0 && !s.summary.includes('\n'), `${s.name} has one sentence`);
    assert.ok(s.examples.length <= 10);
  }
});

test('label_flips fires on a batch of reference rows with their label changed', async () => {
  const flipped = pick(reference, 0.03, 11).map((row) => {
    row[LABEL] = row[LABEL] === 'a' ? 'b' : 'a';
    return row;
  });
  const report = await check(withRows(flipped));
  const flips = get(report, 'label_flips');
  assert.ok(flips.flagged, flips.summary);
  assert.ok(flips.score > 0.02);
  assert.equal(flips.examples[0]?.column, 'label');
  assert.ok(
    flips.examples.every((e) => e.row >= clean.rows.length),
    'examples point at the injected rows',
  );
  assert.equal(get(report, 'duplicate_rows').flagged, false);
});

test('label_flips also fires on conflicting labels within current alone', async () => {
  const conflicting = pick(clean, 0.02, 12).map((row) => {
    row[LABEL] = row[LABEL] === 'c' ? 'a' : 'c';
    return row;
  });
  const flips = get(await check(withRows(conflicting)), 'label_flips');
  assert.ok(flips.flagged, flips.summary);
});

test('near_duplicates fires on 5% jittered copies, which are not exact duplicates', async () => {
  const random = seededRandom(21);
  const copies = pick(clean, 0.05, 22).map((row) => {
    for (const c of [0, 1, 3]) row[c] = (row[c] as number) * (1 + 1e-4 * normal(random));
    row[5] = `  ${String(row[5]).toUpperCase()} `;
    return row;
  });
  const report = await check(withRows(copies));
  const near = get(report, 'near_duplicates');
  assert.ok(near.flagged, near.summary);
  assert.ok(near.score > 0.03, near.summary);
  assert.equal(get(report, 'duplicate_rows').flagged, false);
});

test('duplicate_rows fires on 5% exact copies of current rows', async () => {
  const report = await check(withRows(pick(clean, 0.05, 31)));
  const dups = get(report, 'duplicate_rows');
  assert.ok(dups.flagged, dups.summary);
  assert.ok(Math.abs(dups.score - 0.05 / 1.05) < 0.01, dups.summary);
  assert.equal(get(report, 'near_duplicates').flagged, false);
});

test('reference_copies is informational by default and flags under a set threshold', async () => {
  const copied = withRows(pick(reference, 0.2, 41));
  const report = await check(copied);
  const copies = get(report, 'reference_copies');
  assert.ok(copies.score > 0.15);
  assert.equal(copies.flagged, false);
  const strict = await detectPoisoning(
    { reference: batchesOf(reference), current: batchesOf(copied) },
    { referenceCopyShare: 0.05 },
  );
  assert.ok(get(strict, 'reference_copies').flagged);
});

test('volume_change flags a surge and a drop against history, and against the reference', async () => {
  const surge = withRows(generateTable(8000, 3).rows.map((r) => [...r]));
  const history = [4000, 4100, 3950, 4020];
  const up = get(await check(surge, history), 'volume_change');
  assert.ok(up.flagged && up.summary.includes('surge'), up.summary);
  const down = get(
    await check({ ...clean, rows: clean.rows.slice(0, 1000) }, history),
    'volume_change',
  );
  assert.ok(down.flagged && down.summary.includes('drop'), down.summary);
  const steady = get(await check(clean, history), 'volume_change');
  assert.equal(steady.flagged, false, steady.summary);
  const ratio = get(await check(surge), 'volume_change');
  assert.ok(ratio.flagged && ratio.threshold === 2 && ratio.score > 2.5, ratio.summary);
  const short = get(await check(clean, [1500]), 'volume_change');
  assert.ok(short.flagged && short.summary.includes('last version'), short.summary);
});

test('outliers fires on a cluster of far-away rows and names the column', async () => {
  const cluster = pick(clean, 0.02, 51).map((row) => {
    row[1] = 400 + (row[1] as number);
    return row;
  });
  const out = get(await check(withRows(cluster)), 'outliers');
  assert.ok(out.flagged, out.summary);
  assert.equal(out.examples[0]?.column, 'x1');
  assert.ok(out.examples.every((e) => typeof e.value === 'number' && e.value > 300));
});

test('new_categories fires on a value the reference never had', async () => {
  const purple = pick(clean, 0.03, 61).map((row) => {
    row[5] = 'purple';
    return row;
  });
  const fresh = get(await check(withRows(purple)), 'new_categories');
  assert.ok(fresh.flagged, fresh.summary);
  assert.deepEqual(
    fresh.examples[0] && { column: fresh.examples[0].column, value: fresh.examples[0].value },
    {
      column: 'colour',
      value: 'purple',
    },
  );
});

test('label_shift fires on a changed label mix', async () => {
  const random = seededRandom(71);
  const shifted = clean.rows.map((r) => {
    const row = [...r];
    if (row[LABEL] === 'b' && random() < 0.4) row[LABEL] = 'c';
    return row;
  });
  const report = await check({ ...clean, rows: shifted });
  const shift = get(report, 'label_shift');
  assert.ok(shift.flagged && shift.score < 0.05, shift.summary);
  assert.equal(get(report, 'label_flips').flagged, false);
});

test('the report does not depend on how the tables are cut into batches', async () => {
  const current = withRows(pick(clean, 0.05, 81));
  const run = (rows: number) =>
    detectPoisoning({
      reference: batchesOf(reference, rows),
      current: batchesOf(current, rows),
      labelColumn: 'label',
    });
  assert.deepEqual(await run(4096), await run(97));
});
