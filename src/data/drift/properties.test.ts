// Properties of the drift statistics (fast-check) and their documented conventions for
// empty and constant columns.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import {
  chiSquareContingency,
  chiSquareDrift,
  contingencyDrift,
  hellingerDrift,
  jensenShannon,
  jensenShannonDrift,
  klDivDrift,
  ks2samp,
  normedWasserstein,
  psiDrift,
  wassersteinDistance,
  zTestDrift,
} from './index.js';

const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), {
  minLength: 1,
  maxLength: 60,
});
const small = fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 60 });
const cats = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 80 });
const near = (a: number, b: number, tol = 1e-9): boolean =>
  Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

test('KS is symmetric in its samples and in [0, 1]', () => {
  fc.assert(
    fc.property(sample, sample, (a, b) => {
      const ab = ks2samp(a, b);
      const ba = ks2samp(b, a);
      assert.equal(ab.statistic, ba.statistic);
      assert.ok(near(ab.p_value, ba.p_value, 1e-12));
      assert.ok(ab.statistic >= 0 && ab.statistic <= 1 && ab.p_value >= 0 && ab.p_value <= 1);
    }),
  );
});

test('KS sees no drift between a sample and itself, nor under a common affine map', () => {
  fc.assert(
    fc.property(
      sample,
      sample,
      fc.double({ min: 0.5, max: 100, noNaN: true }),
      fc.double({ min: -100, max: 100, noNaN: true }),
      (a, b, s, t) => {
        const same = ks2samp(a, a);
        assert.equal(same.statistic, 0);
        assert.equal(same.p_value, 1);
        // Rank-based: an increasing map of both samples changes nothing when it keeps order.
        const mapped = ks2samp(
          a.map((x) => Math.round(x) * s + t),
          b.map((x) => Math.round(x) * s + t),
        );
        const rounded = ks2samp(a.map(Math.round), b.map(Math.round));
        assert.equal(mapped.statistic, rounded.statistic);
        assert.equal(mapped.p_value, rounded.p_value);
      },
    ),
  );
});

test('Wasserstein is symmetric, zero on identical samples and scales with the data; normed is scale invariant', () => {
  fc.assert(
    fc.property(small, small, fc.integer({ min: 1, max: 50 }), (a, b, s) => {
      assert.ok(near(wassersteinDistance(a, b), wassersteinDistance(b, a)));
      assert.equal(wassersteinDistance(a, a), 0);
      const scaled = wassersteinDistance(
        a.map((x) => x * s),
        b.map((x) => x * s),
      );
      assert.ok(near(scaled, s * wassersteinDistance(a, b)));
      if (new Set(a).size > 1) {
        const n1 = normedWasserstein(a, b).statistic;
        const n2 = normedWasserstein(
          a.map((x) => x * s),
          b.map((x) => x * s),
        ).statistic;
        assert.ok(near(n1, n2, 1e-9));
      }
    }),
  );
});

test('Jensen–Shannon is symmetric and bounded by sqrt(ln 2); binned scores vanish on identical samples', () => {
  fc.assert(
    fc.property(cats, cats, (a, b) => {
      const ab = jensenShannonDrift(a, b, 'categorical').statistic;
      assert.ok(near(ab, jensenShannonDrift(b, a, 'categorical').statistic, 1e-12));
      assert.ok(ab >= 0 && ab <= Math.sqrt(Math.LN2) + 1e-12);
      assert.ok(
        near(
          psiDrift(a, b, 'categorical').statistic,
          psiDrift(b, a, 'categorical').statistic,
          1e-9,
        ),
      );
      for (const f of [jensenShannonDrift, psiDrift, klDivDrift, hellingerDrift]) {
        assert.ok(Math.abs(f(a, a, 'categorical').statistic) < 1e-7, f.name);
      }
      const h = hellingerDrift(a, b, 'categorical').statistic;
      assert.ok(h >= 0 && h <= 1 && near(h, hellingerDrift(b, a, 'categorical').statistic, 1e-12));
    }),
  );
  assert.ok(near(jensenShannon([1, 0], [0, 1], 2), 1));
});

test('Hellinger is exactly 0 for the same shares in another order (CI counterexample)', () => {
  const a = ['b', 'c', 'd', 'a', 'c', 'c', 'a', 'd', 'c'];
  const b = ['d', 'c', 'b', 'c', 'd', 'a', 'c', 'a', 'c'];
  assert.equal(hellingerDrift(a, b, 'categorical').statistic, 0);
  assert.equal(hellingerDrift(b, a, 'categorical').statistic, 0);
});

test('categorical tests: identical samples never drift; contingency is symmetric', () => {
  fc.assert(
    fc.property(cats, cats, (a, b) => {
      assert.ok(chiSquareDrift(a, a).p_value > 0.999);
      assert.ok(contingencyDrift(a, a).p_value > 0.999);
      const ab = contingencyDrift(a, b);
      const ba = contingencyDrift(b, a);
      assert.ok(near(ab.statistic, ba.statistic) && near(ab.p_value, ba.p_value));
      const bin = a.map((x) => x === 'a');
      assert.equal(zTestDrift(bin, bin).p_value, 1);
    }),
  );
});

test('empty and constant columns give documented conventions, never exceptions', () => {
  for (const r of [ks2samp([], [1, 2]), ks2samp([1], [Number.NaN]), normedWasserstein([], [1])]) {
    assert.equal(r.degenerate, 'empty');
    assert.equal(r.statistic, 0);
  }
  assert.equal(ks2samp([], [1]).p_value, 1);
  for (const f of [chiSquareDrift, contingencyDrift, zTestDrift])
    assert.deepEqual(f([], ['a']).degenerate, 'empty');
  for (const f of [jensenShannonDrift, psiDrift, klDivDrift, hellingerDrift]) {
    assert.equal(f(['a'], [], 'categorical').degenerate, 'empty');
  }
  assert.deepEqual(zTestDrift(['x', 'x'], ['x']), {
    statistic: 0,
    p_value: 1,
    n_reference: 2,
    n_current: 1,
    degenerate: 'constant',
  });
  assert.equal(chiSquareDrift(['x'], ['x', 'x']).degenerate, 'constant');
  // Constant numerical columns: zero spread is floored at 0.001 and KS still answers.
  assert.equal(normedWasserstein([3, 3, 3], [3, 3]).statistic, 0);
  assert.ok(near(normedWasserstein([3, 3, 3], [4, 4]).statistic, 1000));
  assert.deepEqual([ks2samp([3, 3], [4, 4, 4]).statistic, ks2samp([3, 3], [3]).p_value], [1, 1]);
  // A category never seen in the reference is infinitely surprising to the GOF test.
  assert.equal(chiSquareDrift(['a', 'b'], ['a', 'c']).p_value, 0);
  assert.deepEqual(
    chiSquareContingency([
      [5, 0],
      [7, 0],
    ]),
    { statistic: 0, p_value: 1, dof: 0, expected: [[5], [7]] },
  );
});
