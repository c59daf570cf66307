// The sketches keep their documented guarantees on 1e5 random values.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isRampartError } from '../../core/index.js';
import {
  distinctCount,
  FREQUENT_CAPACITY,
  FrequentItems,
  histogramFromProfile,
  ProfileBuilder,
  profileFromJson,
  profileQuantile,
  profileToJson,
  SKETCH_RELATIVE_ACCURACY,
  type ColumnProfile,
} from './index.js';
import { batch, column, normal, prng } from './test-batches.js';

const N = 100_000;

function numericProfile(values: number[]): ColumnProfile {
  const builder = new ProfileBuilder();
  builder.add(batch({ v: column('number', values) }));
  const profile = builder.finish().columns[0];
  assert.ok(profile);
  return profile;
}

const distributions: Record<string, (random: () => number) => number> = {
  normal: (random) => normal(random),
  lognormal: (random) => Math.exp(normal(random) * 2),
  'mixed signs with zeros': (random) => (random() < 0.1 ? 0 : normal(random) * 1000 - 300),
};

for (const [name, draw] of Object.entries(distributions)) {
  test(`quantiles of ${name} values are within 1 % of the true order statistic`, () => {
    const random = prng(name.length);
    const values = Array.from({ length: N }, () => draw(random));
    const sorted = Float64Array.from(values).sort();
    const column = numericProfile(values);
    for (let q = 0; q <= 1.0000001; q += 0.01) {
      const truth = sorted[Math.floor(Math.min(q, 1) * (N - 1))] ?? NaN;
      const estimate = profileQuantile(column, Math.min(q, 1));
      assert.ok(
        Math.abs(estimate - truth) <= SKETCH_RELATIVE_ACCURACY * Math.abs(truth) + 1e-12,
        `q=${q.toFixed(2)}: ${estimate} vs ${truth}`,
      );
    }
  });
}

test('histogram counts differ from exact ones only by values within 1 % of an edge', () => {
  const random = prng(3);
  const values = Array.from({ length: N }, () => normal(random) * 10 + 5);
  const column = numericProfile(values);
  const edges = [-30, -10, -2, 0.5, 3, 8, 15, 40];
  const estimate = histogramFromProfile(column, edges);
  const exact = new Float64Array(edges.length - 1);
  const nearEdge = new Float64Array(edges.length);
  for (const v of values) {
    const index = edges.findIndex((e, i) => v >= e && v < (edges[i + 1] ?? -Infinity));
    if (index >= 0) exact[index] = (exact[index] ?? 0) + 1;
    edges.forEach((e, i) => {
      if (Math.abs(v - e) <= SKETCH_RELATIVE_ACCURACY * Math.abs(v))
        nearEdge[i] = (nearEdge[i] ?? 0) + 1;
    });
  }
  for (let i = 0; i < exact.length; i++) {
    const slack = (nearEdge[i] ?? 0) + (nearEdge[i + 1] ?? 0);
    assert.ok(Math.abs((estimate[i] ?? 0) - (exact[i] ?? 0)) <= slack, `bin ${i}`);
  }
});

test('distinct counts of 1e5 strings and 1e5 numbers are within 3 standard errors', () => {
  const bound = (3 * 1.04) / Math.sqrt(4096);
  const strings = Array.from({ length: N }, (_, i) => `user-${i}@example.org`);
  const numbers = Array.from({ length: N }, (_, i) => i * 0.25 - 1000);
  const builder = new ProfileBuilder();
  builder.add(batch({ s: column('string', strings), x: column('number', numbers) }));
  for (const c of builder.finish().columns) {
    assert.ok(Math.abs(distinctCount(c) - N) / N <= bound, `${c.name}: ${distinctCount(c)}`);
  }
});

test('frequent items are exact under capacity and bounded over it', () => {
  const random = prng(17);
  const under = new FrequentItems();
  const truth = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    const value = `k${Math.floor(random() ** 2 * FREQUENT_CAPACITY)}`;
    under.add(value);
    truth.set(value, (truth.get(value) ?? 0) + 1);
  }
  assert.equal(under.exact, true);
  for (const [value, n] of truth) assert.equal(under.count(value), n);

  const over = new FrequentItems();
  truth.clear();
  for (let i = 0; i < N; i++) {
    const value = `k${Math.floor(random() ** 3 * 20_000)}`;
    over.add(value);
    truth.set(value, (truth.get(value) ?? 0) + 1);
  }
  assert.equal(over.exact, false);
  assert.ok(over.size <= FREQUENT_CAPACITY);
  for (const [value, n] of truth) {
    const estimate = over.count(value);
    assert.ok(estimate <= n && n <= estimate + over.maxError, `${value}: ${estimate} / ${n}`);
  }
});

test('a hostile or inconsistent profile file is refused with the path of the problem', () => {
  const builder = new ProfileBuilder();
  builder.add(batch({ x: column('number', [1, 2]), s: column('string', ['a', 'b']) }));
  const good = profileToJson(builder.finish());
  const refuse = (path: (string | number)[], value: unknown, pattern: RegExp): void => {
    const doc = JSON.parse(JSON.stringify(good)) as Record<string | number, unknown>;
    let target = doc;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
    target[path[path.length - 1] ?? ''] = value;
    assert.throws(
      () => profileFromJson(doc),
      (e: unknown) => isRampartError(e, 'RAMPART_PROFILE_INVALID') && pattern.test(e.message),
      path.join('.'),
    );
  };
  refuse(['format'], 'rampart.profile/v0', /format/);
  refuse(['extra'], 1, /Unrecognized key/);
  refuse(
    ['columns'],
    Array.from({ length: 5000 }, () => ({})),
    /columns/,
  );
  refuse(['columns', 1, 'name'], 'x', /share a name/);
  refuse(['columns', 0, 'count'], 3, /count/);
  refuse(['columns', 0, 'numeric', 'n'], 5, /numeric\.n/);
  refuse(['columns', 0, 'numeric', 'min'], 9, /min ≤ max/);
  refuse(['columns', 0, 'numeric', 'sketch', 'zero'], 7, /sketch/);
  refuse(
    ['columns', 0, 'numeric', 'sketch', 'positive', 'counts'],
    new Array(5000).fill(1),
    /positive\.counts/,
  );
  refuse(['columns', 0, 'distinct', 'registers'], 'AAAA', /registers/);
  refuse(['columns', 1, 'frequent', 'items', 0, 1], 50, /frequent/);
  refuse(['columns', 1, 'frequent', 'items', 0, 0], 'z'.repeat(65), /items/);
  refuse(['columns', 1, 'frequent'], undefined, /frequent/);
});
