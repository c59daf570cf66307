// Agreement with scipy.stats.shapiro on the committed fixture (scripts/monitor-fixtures/make.py):
// W to 1e-6 absolute; p-values to 1e-5 relative (+1e-12 absolute), since they go through W.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { repoRoot } from '../../testkit/paths.js';
import { isRampartError } from '../core/index.js';
import { normalQuantile, normalUpperTail, shapiroWilk } from './shapiro.js';

interface Fixture {
  scipy: string;
  cases: { label: string; x: number[]; w: number; p_value: number }[];
}

const fixture = JSON.parse(
  readFileSync(path.join(repoRoot, 'test', 'fixtures', 'monitor', 'shapiro.json'), 'utf8'),
) as Fixture;

test('W and p match scipy.stats.shapiro for n from 3 to 5000 and several distributions', () => {
  assert.ok(fixture.cases.length >= 40);
  let worstW = 0;
  for (const c of fixture.cases) {
    const result = shapiroWilk(c.x);
    worstW = Math.max(worstW, Math.abs(result.w - c.w));
    assert.ok(Math.abs(result.w - c.w) <= 1e-6, `${c.label}: W ${result.w} vs ${c.w}`);
    const tolerance = 1e-5 * Math.abs(c.p_value) + 1e-12;
    assert.ok(
      Math.abs(result.pValue - c.p_value) <= tolerance,
      `${c.label}: p ${result.pValue} vs ${c.p_value}`,
    );
  }
  assert.ok(worstW < 1e-6);
});

test('the input order does not matter and the input is not modified', () => {
  const c = fixture.cases.find((k) => k.x.length === 50)!;
  const reversed = [...c.x].reverse();
  const copy = [...reversed];
  assert.equal(shapiroWilk(reversed).w, shapiroWilk(c.x).w);
  assert.deepEqual(reversed, copy);
});

test('samples outside the method are refused with a coded error', () => {
  for (const bad of [[1, 2], [1, 1, 1, 1], [1, 2, Number.NaN], new Float64Array(5001)]) {
    assert.throws(
      () => shapiroWilk(bad),
      (e: unknown) => isRampartError(e) && e.code === 'RAMPART_MONITOR_INVALID',
    );
  }
});

test('the normal helpers are consistent with each other', () => {
  for (const p of [1e-6, 0.01, 0.2, 0.5, 0.8, 0.99]) {
    assert.ok(Math.abs(normalUpperTail(-normalQuantile(p)) - p) < 1e-6 * Math.max(p, 1e-3));
  }
  assert.equal(normalUpperTail(0), 0.5);
  assert.equal(normalUpperTail(40), 0);
});
