// Merging is associative and commutative, and profiling the concatenation equals merging the
// profiles of the parts (seeded random batches); profiles round-trip through JSON exactly.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ColumnBatch } from '../table/batch.js';
import {
  mergeProfiles,
  ProfileBuilder,
  profileFromJson,
  profileToJson,
  type DatasetProfile,
} from './index.js';
import { batch, column, normal, prng, type Cell } from './test-batches.js';

const WORDS = ['red', 'green', 'blue', 'a much longer category name', '', 'ünïcødé'];

function randomCells(random: () => number, rows: number, kind: string): Cell[] {
  return Array.from({ length: rows }, (): Cell => {
    const roll = random();
    if (roll < 0.05) return null;
    if (kind === 'string') return WORDS[Math.floor(random() * WORDS.length)] ?? null;
    if (kind === 'boolean') return roll < 0.5;
    if (roll < 0.07) return { invalid: 'x' };
    if (kind === 'integer') return Math.round(normal(random) * 50);
    if (roll < 0.08) return [NaN, Infinity, -Infinity][Math.floor(random() * 3)] ?? NaN;
    if (roll < 0.12) return 0;
    return normal(random) * 10 ** Math.floor(random() * 6 - 2);
  });
}

function randomRows(random: () => number, rows: number): Record<string, Cell[]> {
  return {
    x: randomCells(random, rows, 'number'),
    n: randomCells(random, rows, 'integer'),
    s: randomCells(random, rows, 'string'),
    b: randomCells(random, rows, 'boolean'),
  };
}

function toBatch(rows: Record<string, Cell[]>, firstRow = 0): ColumnBatch {
  return batch(
    {
      x: column('number', rows.x ?? []),
      n: column('integer', rows.n ?? []),
      s: column('string', rows.s ?? []),
      b: column('boolean', rows.b ?? []),
    },
    firstRow,
  );
}

function profile(rows: Record<string, Cell[]>): DatasetProfile {
  const builder = new ProfileBuilder();
  builder.add(toBatch(rows));
  return builder.finish();
}

function concat(parts: Record<string, Cell[]>[]): Record<string, Cell[]> {
  const keys = ['x', 'n', 's', 'b'];
  return Object.fromEntries(keys.map((k) => [k, parts.flatMap((p) => p[k] ?? [])]));
}

/** Deep equality of the JSON forms, with means and m2 compared to 1e-9 relative. */
function assertSameProfile(a: DatasetProfile, b: DatasetProfile): void {
  const close = (x: unknown, y: unknown, path: string): void => {
    if (typeof x === 'number' && typeof y === 'number' && /\.(mean|m2)$/.test(path)) {
      assert.ok(
        Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y)),
        `${path}: ${x} vs ${y}`,
      );
    } else if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null) {
      assert.deepEqual(Object.keys(x), Object.keys(y), path);
      for (const key of Object.keys(x)) {
        close(
          (x as Record<string, unknown>)[key],
          (y as Record<string, unknown>)[key],
          `${path}.${key}`,
        );
      }
    } else {
      assert.equal(x, y, path);
    }
  };
  close(profileToJson(a), profileToJson(b), 'profile');
}

test('merge is commutative and associative, and equals profiling the concatenation', () => {
  const random = prng(20240611);
  for (let trial = 0; trial < 40; trial++) {
    const parts = [0, 1, 2].map(() => randomRows(random, Math.floor(random() * 300)));
    const [a, b, c] = parts.map(profile) as [DatasetProfile, DatasetProfile, DatasetProfile];
    assertSameProfile(mergeProfiles(a, b), mergeProfiles(b, a));
    assertSameProfile(mergeProfiles(mergeProfiles(a, b), c), mergeProfiles(a, mergeProfiles(b, c)));
    assertSameProfile(profile(concat(parts)), mergeProfiles(mergeProfiles(a, b), c));
  }
});

test('batches of one table profile like the table in one batch', () => {
  const random = prng(99);
  const rows = randomRows(random, 1000);
  const builder = new ProfileBuilder();
  for (let start = 0; start < 1000; start += 137) {
    const slice = Object.fromEntries(
      Object.entries(rows).map(([k, v]) => [k, v.slice(start, start + 137)]),
    );
    builder.add(toBatch(slice, start));
  }
  assertSameProfile(builder.finish(), profile(rows));
});

test('merge commutes exactly even when frequent items overflow their capacity', () => {
  const random = prng(5);
  const many = (offset: number): Record<string, Cell[]> => {
    const rows = randomRows(random, 3000);
    rows.s = rows.s?.map((_, i) => `v${offset + Math.floor(random() * 2000)}-${i % 3}`) ?? [];
    return rows;
  };
  const a = profile(many(0));
  const b = profile(many(1000));
  assert.ok((a.columns[2]?.frequent?.maxError ?? 0) > 0, 'the summary purged');
  assertSameProfile(mergeProfiles(a, b), mergeProfiles(b, a));
});

test('profiles round-trip through JSON text exactly', () => {
  const random = prng(11);
  const original = profile(randomRows(random, 2000));
  const text = JSON.stringify(profileToJson(original));
  const back = profileFromJson(JSON.parse(text));
  assert.equal(JSON.stringify(profileToJson(back)), text);
  assert.deepEqual(
    back.columns[0]?.numeric?.sketch.quantile(0.3),
    original.columns[0]?.numeric?.sketch.quantile(0.3),
  );
  // A restored profile merges like the original.
  assertSameProfile(mergeProfiles(back, original), mergeProfiles(original, original));
});
