import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Category } from '../drift/index.js';
import type { CollectedColumn, CollectedTable } from './collect.js';
import { compareTables } from './drift.js';
import { renderCheckHtml } from './html.js';

// A seeded PRNG and a standard normal, so the samples are the same on every run.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function normals(n: number, seed: number, shift = 0): Float64Array {
  const random = prng(seed);
  return Float64Array.from({ length: n }, () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random()) + shift;
  });
}
const num = (name: string, numbers: Float64Array): CollectedColumn => ({
  name,
  type: 'number',
  numbers,
});
const cat = (name: string, categories: Category[]): CollectedColumn => ({
  name,
  type: 'string',
  categories,
});
const table = (rows: number, ...columns: CollectedColumn[]): CollectedTable => ({
  rows,
  columns: new Map(columns.map((c) => [c.name, c])),
});
const repeat = (values: Category[], n: number) =>
  Array.from({ length: n }, (_, i) => values[i % values.length] as Category);

describe("data check drift: evidently mode selects Evidently's default test per column", () => {
  it('KS / chi-square / Z at ≤ 1000 reference rows, normed Wasserstein / Jensen-Shannon above', () => {
    const small = compareTables(
      table(
        500,
        num('x', normals(500, 1)),
        cat('c', repeat(['a', 'b', 'c'], 500)),
        cat('b', repeat(['y', 'n'], 500)),
        num('k', Float64Array.from(repeat([1, 2, 3], 500) as number[])),
      ),
      table(
        500,
        num('x', normals(500, 2)),
        cat('c', repeat(['a', 'b', 'c'], 500)),
        cat('b', repeat(['y', 'n'], 500)),
        num('k', Float64Array.from(repeat([1, 2, 3], 500) as number[])),
      ),
      { mode: 'evidently' },
    );
    assert.deepEqual(
      small.columns.map((c) => [c.name, c.test, c.threshold]),
      [
        ['x', 'ks', 0.05],
        ['c', 'chisquare', 0.05],
        ['b', 'z', 0.05],
        ['k', 'chisquare', 0.05],
      ],
    );
    const large = compareTables(
      table(
        2000,
        num('x', normals(2000, 1)),
        cat('c', repeat(['a', 'b', 'c'], 2000)),
        num('k', Float64Array.from(repeat([1, 2], 2000) as number[])),
      ),
      table(
        2000,
        num('x', normals(2000, 2, 0.5)),
        cat('c', repeat(['a', 'b', 'c'], 2000)),
        num('k', Float64Array.from(repeat([1, 2], 2000) as number[])),
      ),
      { mode: 'evidently' },
    );
    assert.deepEqual(
      large.columns.map((c) => [c.name, c.test, c.threshold]),
      [
        ['x', 'wasserstein', 0.1],
        ['c', 'jensenshannon', 0.1],
        ['k', 'jensenshannon', 0.1],
      ],
    );
    // A shift of half a standard deviation: normed Wasserstein ≈ 0.5 ≥ 0.1.
    assert.equal(large.columns.at(0)?.drifted, true);
    assert.ok((large.columns.at(0)?.score ?? 0) > 0.4 && (large.columns.at(0)?.score ?? 0) < 0.6);
    // One of three columns drifted: under Evidently's 0.5 share, the dataset does not drift.
    assert.equal(large.share_drifted, 1 / 3);
    assert.equal(large.dataset_drifted, false);
  });
});

describe('data check drift: strict mode', () => {
  it('ignores a statistically significant but negligible shift at large n (the effect size gate)', () => {
    const report = compareTables(
      table(200_000, num('x', normals(200_000, 3))),
      table(200_000, num('x', normals(200_000, 4, 0.03))),
    );
    const x = report.columns[0];
    assert.ok((x?.p_value ?? 1) < 1e-6, `p ${x?.p_value}`);
    assert.ok((x?.effect?.value ?? 1) < 0.1);
    assert.equal(x?.drifted, false);
  });

  it('flags a real shift and corrects for many columns (Benjamini–Hochberg)', () => {
    const ref: CollectedColumn[] = [];
    const cur: CollectedColumn[] = [];
    for (let i = 0; i < 20; i++) {
      ref.push(num(`c${i}`, normals(300, 100 + i)));
      cur.push(num(`c${i}`, normals(300, 200 + i, i === 0 ? 1 : 0)));
    }
    const strict = compareTables(table(300, ...ref), table(300, ...cur));
    assert.deepEqual(
      strict.columns.filter((c) => c.drifted).map((c) => c.name),
      ['c0'],
    );
    assert.equal(strict.correction, 'bh');
    // Adjusted p-values are never below the raw ones.
    for (const c of strict.columns) assert.ok(c.score >= (c.p_value ?? 0));
  });

  it('uses a contingency chi-square with Cramér’s V for categories; reports columns on one side only', () => {
    const report = compareTables(
      table(1000, cat('c', repeat(['a', 'b'], 1000)), cat('gone', repeat(['x'], 1000))),
      table(1000, cat('c', repeat(['a', 'a', 'a', 'b'], 1000)), cat('new', repeat(['x'], 1000))),
    );
    const c = report.columns.at(0);
    assert.equal(c?.test, 'chisquare_contingency');
    assert.equal(c.drifted, true);
    assert.equal(c.effect?.measure, 'cramers_v');
    assert.deepEqual(
      report.skipped.map((s) => s.name),
      ['gone', 'new'],
    );
    assert.equal(report.dataset_drifted, true);
  });
});

describe('data check HTML report', () => {
  it('escapes every text that comes from the data', () => {
    const evil = '<script>alert(1)</script>';
    const drift = compareTables(
      table(10, cat(evil, repeat([evil, 'b'], 10))),
      table(10, cat(evil, repeat([evil, 'b'], 10))),
    );
    const html = renderCheckHtml({
      passed: true,
      reference: { label: evil, rows: 10 },
      current: { label: 'cur', rows: 10 },
      validation: null,
      drift,
      poisoning: { signals: [], flagged: false, rows: { reference: 10, current: 10 } },
      reasons: [],
    });
    assert.ok(!html.includes('<script>'));
    assert.ok(html.includes('&#60;script&#62;'));
    assert.match(html, /<svg role="img"/);
  });
});
