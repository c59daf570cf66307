// What a profile records per column, and when batches cannot be combined.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isRampartError } from '../../core/index.js';
import {
  distinctCount,
  histogramFromProfile,
  mergeProfiles,
  ProfileBuilder,
  profileFromJson,
  profileQuantile,
  profileToJson,
  type ColumnProfile,
  type DatasetProfile,
} from './index.js';
import { batch, column, normal, prng } from './test-batches.js';

function profileOf(...batches: Parameters<ProfileBuilder['add']>[0][]): DatasetProfile {
  const builder = new ProfileBuilder();
  for (const b of batches) builder.add(b);
  return builder.finish();
}

function col(profile: DatasetProfile, name: string): ColumnProfile {
  const found = profile.columns.find((c) => c.name === name);
  assert.ok(found, name);
  return found;
}

test('numeric columns count missing, invalid, NaN and infinities apart from finite values', () => {
  const profile = profileOf(
    batch({
      x: column('number', [1, null, { invalid: 'abc' }, NaN, Infinity, -Infinity, 3, -0, 5]),
    }),
  );
  const x = col(profile, 'x');
  assert.deepEqual([x.count, x.missing, x.invalid, x.nan, x.posInf, x.negInf], [9, 1, 1, 1, 1, 1]);
  assert.equal(x.numeric?.n, 4);
  assert.equal(x.numeric.min, 0);
  assert.equal(Object.is(x.numeric.min, -0), false);
  assert.equal(x.numeric.max, 5);
  assert.equal(x.numeric.mean, 9 / 4);
  // Distinct present values, NaN excluded: 1, ∞, −∞, 3, 0, 5.
  assert.equal(distinctCount(x), 6);
  assert.equal(x.frequent, undefined);
});

test('mean and variance match a two-pass computation across batches', () => {
  const random = prng(7);
  const values = Array.from({ length: 10_000 }, () => 1e6 + normal(random) * 3);
  const batches = [0, 2500, 2600, 9000].map((start, i, starts) =>
    batch({ v: column('number', values.slice(start, starts[i + 1] ?? values.length)) }, start),
  );
  const numeric = col(profileOf(...batches), 'v').numeric;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const m2 = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  assert.ok(numeric);
  assert.ok(Math.abs(numeric.mean - mean) <= 1e-12 * Math.abs(mean));
  assert.ok(Math.abs(numeric.m2 - m2) <= 1e-9 * m2);
});

test('values near the float64 limit keep a finite mean', () => {
  const profile = profileOf(batch({ x: column('number', [1.7e308, 1.7e308, -1e308]) }));
  const x = col(profile, 'x');
  assert.ok(Math.abs((x.numeric?.mean ?? 0) - 0.8e308) < 1e295);
  // The squared deviations overflow float64: m2 saturates so the profile stays valid JSON.
  assert.equal(x.numeric?.m2, Number.MAX_VALUE);
  assert.equal(col(profileFromJson(profileToJson(profile)), 'x').numeric?.m2, Number.MAX_VALUE);
});

test('string columns keep lengths, exact frequent items and distinct counts', () => {
  const profile = profileOf(batch({ s: column('string', ['ab', null, 'ab', 'c', '', 'dddd']) }));
  const s = col(profile, 's');
  assert.deepEqual([s.count, s.missing, s.invalid], [6, 1, 0]);
  assert.deepEqual(s.lengths, { min: 0, max: 4, sum: 9 });
  assert.equal(s.frequent?.exact, true);
  assert.deepEqual(s.frequent.items(), [
    ['ab', 2],
    ['', 1],
    ['c', 1],
    ['dddd', 1],
  ]);
  assert.equal(distinctCount(s), 4);
});

test('boolean columns count true and false exactly', () => {
  const profile = profileOf(
    batch({ b: column('boolean', [true, false, true, null, { invalid: 'maybe' }]) }),
  );
  const b = col(profile, 'b');
  assert.deepEqual([b.count, b.missing, b.invalid], [5, 1, 1]);
  assert.deepEqual(b.frequent?.items(), [
    ['true', 2],
    ['false', 1],
  ]);
  assert.equal(distinctCount(b), 2);
});

test('an empty or all-missing column has null extremes and NaN quantiles', () => {
  const profile = profileOf(
    batch({ x: column('integer', [null, null]), s: column('string', [null, null]) }),
  );
  assert.equal(profile.rows, 2);
  const x = col(profile, 'x');
  assert.deepEqual([x.numeric?.min, x.numeric?.max, x.numeric?.n], [null, null, 0]);
  assert.ok(Number.isNaN(profileQuantile(x, 0.5)));
  assert.deepEqual(Array.from(histogramFromProfile(x, [0, 1, 2])), [0, 0]);
  assert.deepEqual(col(profile, 's').lengths, { min: null, max: null, sum: 0 });
  assert.deepEqual(new ProfileBuilder().finish(), { rows: 0, columns: [] });
});

test('batches must keep the first batch’s columns and types', () => {
  const builder = new ProfileBuilder();
  builder.add(batch({ a: column('number', [1]), b: column('string', ['x']) }));
  assert.throws(
    () => {
      builder.add(batch({ b: column('string', ['x']), a: column('number', [1]) }));
    },
    (e: unknown) => isRampartError(e, 'RAMPART_PROFILE_MISMATCH'),
  );
  assert.throws(
    () => {
      builder.add(batch({ a: column('integer', [1]), b: column('string', ['x']) }));
    },
    (e: unknown) => isRampartError(e, 'RAMPART_PROFILE_MISMATCH') && /changed type/.test(e.message),
  );
  assert.throws(
    () => {
      builder.add({ ...batch({ a: column('number', [1]), b: column('string', ['x']) }), rows: 2 });
    },
    (e: unknown) =>
      isRampartError(e, 'RAMPART_PROFILE_MISMATCH') && /holds 1 cells/.test(e.message),
  );
  assert.throws(
    () => mergeProfiles(builder.finish(), profileOf(batch({ a: column('number', [1]) }))),
    (e: unknown) => isRampartError(e, 'RAMPART_PROFILE_MISMATCH'),
  );
});

test('quantiles and histograms are answered only for numeric columns', () => {
  const profile = profileOf(
    batch({ s: column('string', ['a', 'b', 'c', 'd']), x: column('number', [1, 2, 3, 4]) }),
  );
  assert.throws(
    () => profileQuantile(col(profile, 's'), 0.5),
    (e: unknown) => isRampartError(e, 'RAMPART_PROFILE_MISMATCH'),
  );
  assert.throws(
    () => histogramFromProfile(col(profile, 'x'), [0, 0]),
    (e: unknown) => isRampartError(e, 'RAMPART_INTERNAL'),
  );
  // numpy convention: [1, 2), [2, 3), [3, 4] with the last bin closed; a value within 1 % of an
  // edge may land on either side of it (2 is kept as 1.98, so it counts in the first bin).
  assert.deepEqual(Array.from(histogramFromProfile(col(profile, 'x'), [1, 2, 3, 4])), [2, 1, 1]);
  assert.deepEqual(
    Array.from(histogramFromProfile(col(profile, 'x'), [0.5, 1.5, 3.5, 3.8])), // 4 lies outside the edges
    [1, 2, 0],
  );
  assert.equal(profileQuantile(col(profile, 'x'), 0), 1);
  assert.equal(profileQuantile(col(profile, 'x'), 1), 4);
});
