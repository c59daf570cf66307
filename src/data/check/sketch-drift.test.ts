import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ks2samp } from '../drift/index.js';
import { ProfileBuilder, profileFromJson, profileToJson } from '../profile/index.js';
import type { DatasetProfile } from '../profile/index.js';
import { batch, column, normal, prng, type Cell } from '../profile/test-batches.js';
import type { ColumnValues } from '../table/batch.js';
import type { CollectedColumn, CollectedTable } from './collect.js';
import { compareTables } from './drift.js';
import { compareProfiles } from './sketch-drift.js';
import { sketchDistribution, sketchKs } from './sketch-ks.js';

const N = 100_000;

/** A generated table as both a profile and the collected values compareTables reads. */
interface Both {
  readonly profile: DatasetProfile;
  readonly table: CollectedTable;
}

function build(columns: Record<string, { type: ColumnValues['type']; cells: Cell[] }>): Both {
  const builder = new ProfileBuilder();
  const chunk = 10_000;
  const rows = Object.values(columns)[0]?.cells.length ?? 0;
  for (let start = 0; start < rows; start += chunk) {
    const part = Object.fromEntries(
      Object.entries(columns).map(([name, c]) => [
        name,
        column(c.type, c.cells.slice(start, start + chunk)),
      ]),
    );
    builder.add(batch(part, start));
  }
  const collected = new Map<string, CollectedColumn>(
    Object.entries(columns).map(([name, c]): [string, CollectedColumn] => {
      if (c.type === 'string' || c.type === 'boolean') {
        return [name, { name, type: c.type, categories: c.cells as (string | boolean)[] }];
      }
      return [name, { name, type: c.type, numbers: Float64Array.from(c.cells as number[]) }];
    }),
  );
  return { profile: builder.finish(), table: { rows, columns: collected } };
}

/** A mixed table; `shift` moves every column's distribution. */
function mixed(seed: number, shift: number): Both {
  const random = prng(seed);
  const letters = 'abcdefgh';
  const pick = () => {
    // Category weights tilt towards the last letters as `shift` grows.
    const u = random() ** (1 / (1 + shift));
    return letters[Math.min(7, Math.floor(u * 8))] ?? 'a';
  };
  const cells = (f: () => Cell) => Array.from({ length: N }, f);
  return build({
    x: { type: 'number', cells: cells(() => normal(random) + shift) },
    far: { type: 'number', cells: cells(() => 100 + 5 * normal(random) + 5 * shift) },
    skewed: { type: 'number', cells: cells(() => Math.exp(normal(random) + shift)) },
    level: { type: 'integer', cells: cells(() => Math.floor(random() * (3 + shift))) },
    letter: { type: 'string', cells: cells(pick) },
    flag: { type: 'boolean', cells: cells(() => random() < 0.3 + shift / 4) },
  });
}

describe('compareProfiles', () => {
  const reference = mixed(1, 0);
  const same = mixed(2, 0);
  const shifted = mixed(3, 0.5);

  for (const [label, current, expected] of [
    ['the same generator', same, false],
    ['a shifted generator', shifted, true],
  ] as const) {
    it(`agrees with compareTables on 1e5 rows from ${label}`, () => {
      const exact = compareTables(reference.table, current.table);
      const sketched = compareProfiles(reference.profile, current.profile);
      assert.equal(sketched.mode, 'strict');
      assert.equal(sketched.correction, 'bh');
      assert.deepEqual(
        sketched.columns.map((c) => [c.name, c.drifted]),
        exact.columns.map((c) => [c.name, c.drifted]),
      );
      assert.ok(sketched.columns.every((c) => c.drifted === expected));
      assert.equal(sketched.dataset_drifted, exact.dataset_drifted);
      assert.equal(sketched.dataset_drifted, expected);
      for (const [i, c] of sketched.columns.entries()) {
        const e = exact.columns[i];
        assert.equal(c.test, e?.test, c.name);
        assert.equal(c.n_reference, e?.n_reference);
        assert.equal(c.n_current, e?.n_current);
        assert.equal(c.chart.kind, e?.chart.kind);
      }
      // Exact frequent items give exactly compareTables' contingency test.
      for (const name of ['letter', 'flag', 'level']) {
        const a = sketched.columns.find((c) => c.name === name);
        const b = exact.columns.find((c) => c.name === name);
        assert.ok(Math.abs((a?.p_value ?? NaN) - (b?.p_value ?? NaN)) <= 1e-9, name);
      }
    });

    it(`bounds the exact KS statistic from the sketches (${label})`, () => {
      for (const name of ['x', 'far', 'skewed']) {
        const ref = reference.profile.columns.find((c) => c.name === name);
        const cur = current.profile.columns.find((c) => c.name === name);
        assert.ok(ref !== undefined && cur !== undefined);
        const ks = sketchKs(sketchDistribution(ref), sketchDistribution(cur));
        const exactD = ks2samp(
          reference.table.columns.get(name)?.numbers ?? [],
          current.table.columns.get(name)?.numbers ?? [],
        ).statistic;
        assert.ok(ks.statistic <= exactD + 1e-12, `${name}: ${ks.statistic} > ${exactD}`);
        assert.ok(exactD <= ks.raw + ks.bound + 1e-12, `${name}: ${exactD} beyond the bound`);
        // Bins are ~2 % of |value| wide: fine near zero, coarse for 100 ± 5.
        assert.ok(ks.bound < (name === 'far' ? 0.2 : 0.02), `${name}: bin share ${ks.bound}`);
      }
    });
  }

  it('gives the same report from a profile read back from JSON', () => {
    const stored = profileFromJson(JSON.parse(JSON.stringify(profileToJson(reference.profile))));
    assert.deepEqual(
      compareProfiles(stored, shifted.profile),
      compareProfiles(reference.profile, shifted.profile),
    );
  });

  it('skips columns on one side or of another type, and ignores what it is told to', () => {
    const a = build({
      id: { type: 'integer', cells: [1, 2, 3, 4, 5, 6] },
      left: { type: 'number', cells: [1, 2, 3, 4, 5, 6] },
      kind: { type: 'string', cells: ['a', 'b', 'a', 'b', 'a', 'b'] },
    });
    const b = build({
      id: { type: 'integer', cells: [7, 8, 9, 10, 11, 12] },
      kind: { type: 'number', cells: [1, 2, 1, 2, 1, 2] },
      right: { type: 'number', cells: [1, 2, 3, 4, 5, 6] },
    });
    const report = compareProfiles(a.profile, b.profile, { ignore: ['id'] });
    assert.deepEqual(report.columns, []);
    assert.deepEqual(
      report.skipped.map((s) => s.name),
      ['left', 'kind', 'right'],
    );
    assert.equal(report.dataset_drifted, false);
  });

  it('falls back to Jensen–Shannon on top items when a summary is over capacity', () => {
    const random = prng(7);
    const wide = (pool: number) =>
      Array.from({ length: 50_000 }, () => `v${Math.floor(random() * pool)}`);
    const ref = build({ id: { type: 'string', cells: wide(5000) } });
    const same = build({ id: { type: 'string', cells: wide(5000) } });
    const narrow = build({ id: { type: 'string', cells: wide(200) } });
    const calm = compareProfiles(ref.profile, same.profile).columns[0];
    assert.equal(calm?.test, 'jensenshannon');
    assert.match(calm.reason, /approximate/);
    assert.equal(calm.p_value, undefined);
    assert.equal(calm.drifted, false);
    const moved = compareProfiles(ref.profile, narrow.profile).columns[0];
    assert.equal(moved?.drifted, true);
    assert.ok(moved.score >= 0.1);
  });

  it('subtracts the uncertainty of collapsed sketch bins, so it alone makes no drift', () => {
    // Magnitudes from 1e-40 to 1e40 need more bins than a store keeps: the lowest fold.
    const random = prng(11);
    const spread = () => Array.from({ length: 20_000 }, () => 10 ** (80 * random() - 40));
    const a = build({ v: { type: 'number', cells: spread() } });
    const b = build({ v: { type: 'number', cells: spread() } });
    const [ra, rb] = [a.profile.columns[0], b.profile.columns[0]];
    assert.ok(ra !== undefined && rb !== undefined);
    assert.equal(ra.numeric?.sketch.positive.bins().counts.length, 2048);
    const ks = sketchKs(sketchDistribution(ra), sketchDistribution(rb));
    const exactD = ks2samp(
      a.table.columns.get('v')?.numbers ?? [],
      b.table.columns.get('v')?.numbers ?? [],
    ).statistic;
    assert.ok(ks.statistic <= exactD + 1e-12, `${ks.statistic} > ${exactD}`);
    assert.equal(compareProfiles(a.profile, b.profile).columns[0]?.drifted, false);
  });
});
