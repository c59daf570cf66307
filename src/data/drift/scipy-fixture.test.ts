// Agreement with Debian's scipy 1.10 on the committed fixture (scripts/drift-fixtures/make.py).
// Tolerances: statistics and distances 1e-9 relative (+1e-12 absolute near zero); p-values
// 1e-6 relative + 1e-15 absolute, because scipy's own 1 − Φ and 1 − CDF round at ~1e-16.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { repoRoot } from '../../../testkit/paths.js';
import {
  chi2Sf,
  chiSquareContingency,
  chiSquareDrift,
  chiSquareGof,
  hellingerDrift,
  jensenShannonDrift,
  klDivDrift,
  kolmogorovSf,
  ks2samp,
  normedWasserstein,
  psiDrift,
  zTestDrift,
} from './index.js';
import type { ColumnKind } from './index.js';

type Num = number | 'inf' | '-inf' | 'nan';
interface Fixture {
  scipy: string;
  ks: { label: string; reference: number[]; current: number[]; statistic: Num; p_value: Num }[];
  kstwo_sf: { n: number; d: number; sf: Num }[];
  chi2_sf: { x: number; dof: number; sf: Num }[];
  chisquare: { observed: number[]; expected: number[]; statistic: Num; p_value: Num }[];
  chi2_contingency: { table: number[][]; statistic: Num; p_value: Num; dof: number }[];
  evidently: {
    label: string;
    kind: ColumnKind;
    reference: (number | string)[];
    current: (number | string)[];
    wasserstein?: Num;
    chisquare?: Num;
    chisquare_statistic?: Num;
    z?: Num | null;
    z_statistic?: Num | null;
    jensenshannon: Num;
    psi: Num;
    kl_div: Num;
    hellinger: Num;
  }[];
}

const fixture = JSON.parse(
  readFileSync(path.join(repoRoot, 'test', 'fixtures', 'drift', 'scipy-1.10.json'), 'utf8'),
) as Fixture;

const STAT_RTOL = 1e-9;
const STAT_ATOL = 1e-12;
const P_RTOL = 1e-6;
const P_ATOL = 1e-15;

function decode(v: Num): number {
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === 'nan') return Number.NaN;
  return v;
}

function close(actual: number, expected: Num, rtol: number, atol: number, what: string): void {
  const e = decode(expected);
  if (!Number.isFinite(e)) {
    assert.ok(
      Object.is(actual, e) || (Number.isNaN(e) && Number.isNaN(actual)),
      `${what}: ${actual} vs ${e}`,
    );
    return;
  }
  assert.ok(Math.abs(actual - e) <= atol + rtol * Math.abs(e), `${what}: ${actual} vs scipy ${e}`);
}

test('the fixture comes from scipy 1.10', () => {
  assert.match(fixture.scipy, /^1\.10\./);
  assert.ok(fixture.ks.length >= 20 && fixture.evidently.length >= 20);
});

test('ks2samp matches scipy.stats.ks_2samp (exact and asymptotic)', () => {
  for (const c of fixture.ks) {
    const r = ks2samp(c.reference, c.current);
    close(r.statistic, c.statistic, STAT_RTOL, STAT_ATOL, `${c.label} D`);
    close(r.p_value, c.p_value, P_RTOL, P_ATOL, `${c.label} p (${r.method})`);
  }
});

test('kolmogorovSf matches scipy.stats.kstwo.sf over every algorithm branch', () => {
  for (const c of fixture.kstwo_sf)
    close(kolmogorovSf(c.n, c.d), c.sf, P_RTOL, P_ATOL, `kstwo.sf(${c.d}, ${c.n})`);
});

test('chi2Sf matches scipy.stats.chi2.sf', () => {
  for (const c of fixture.chi2_sf)
    close(chi2Sf(c.x, c.dof), c.sf, P_RTOL, P_ATOL, `chi2.sf(${c.x}, ${c.dof})`);
});

test('chiSquareGof matches scipy.stats.chisquare', () => {
  for (const c of fixture.chisquare) {
    const r = chiSquareGof(c.observed, c.expected);
    if (c.observed.length < 2) {
      // Documented deviation: one category has no degrees of freedom; scipy says NaN, we say 1.
      assert.equal(c.p_value, 'nan');
      assert.deepEqual(r, { statistic: 0, p_value: 1, dof: 0 });
      continue;
    }
    close(
      r.statistic,
      c.statistic,
      STAT_RTOL,
      STAT_ATOL,
      `chisquare ${JSON.stringify(c.observed)}`,
    );
    close(r.p_value, c.p_value, P_RTOL, P_ATOL, `chisquare p ${JSON.stringify(c.observed)}`);
  }
});

test('chiSquareContingency matches scipy.stats.chi2_contingency (Yates at dof 1)', () => {
  for (const c of fixture.chi2_contingency) {
    const r = chiSquareContingency(c.table);
    assert.equal(r.dof, c.dof);
    close(r.statistic, c.statistic, STAT_RTOL, STAT_ATOL, `contingency ${JSON.stringify(c.table)}`);
    close(r.p_value, c.p_value, P_RTOL, P_ATOL, `contingency p ${JSON.stringify(c.table)}`);
  }
});

test("Evidently's stattests match their numpy/scipy definitions", () => {
  for (const c of fixture.evidently) {
    const { reference: ref, current: cur, kind, label } = c;
    if (c.wasserstein !== undefined) {
      close(
        normedWasserstein(ref as number[], cur as number[]).statistic,
        c.wasserstein,
        STAT_RTOL,
        STAT_ATOL,
        `${label} wasserstein`,
      );
    }
    if (c.chisquare !== undefined && c.chisquare_statistic !== undefined) {
      const r = chiSquareDrift(ref, cur);
      if (c.chisquare === 'nan') {
        assert.equal(r.degenerate, 'constant', `${label} chisquare`);
        assert.equal(r.p_value, 1);
      } else {
        close(
          r.statistic,
          c.chisquare_statistic,
          STAT_RTOL,
          STAT_ATOL,
          `${label} chisquare statistic`,
        );
        close(r.p_value, c.chisquare, P_RTOL, P_ATOL, `${label} chisquare`);
      }
    }
    if (
      c.z !== undefined &&
      c.z !== null &&
      c.z_statistic !== undefined &&
      c.z_statistic !== null
    ) {
      const r = zTestDrift(ref, cur);
      close(r.statistic, c.z_statistic, STAT_RTOL, STAT_ATOL, `${label} z statistic`);
      close(r.p_value, c.z, P_RTOL, P_ATOL, `${label} z`);
    }
    close(
      jensenShannonDrift(ref, cur, kind).statistic,
      c.jensenshannon,
      STAT_RTOL,
      STAT_ATOL,
      `${label} jensenshannon`,
    );
    close(psiDrift(ref, cur, kind).statistic, c.psi, STAT_RTOL, STAT_ATOL, `${label} psi`);
    close(klDivDrift(ref, cur, kind).statistic, c.kl_div, STAT_RTOL, STAT_ATOL, `${label} kl_div`);
    close(
      hellingerDrift(ref, cur, kind).statistic,
      c.hellinger,
      STAT_RTOL,
      STAT_ATOL,
      `${label} hellinger`,
    );
  }
});
