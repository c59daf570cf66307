// PRADA on seeded streams: a benign Gaussian mixture must stay quiet, synthetic extraction
// streams (JbDA-style perturbation, Tramèr-style line search) must alarm.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isRampartError } from '../core/index.js';
import { PradaDetector } from './prada.js';
import type { PradaOptions } from './prada.js';
import { benign, jbda, lineSearch } from './streams.test-helpers.js';
import type { Query } from './streams.test-helpers.js';

function run(stream: Generator<Query>, count: number, options: PradaOptions = {}) {
  const detector = new PradaDetector(options);
  let firstAlarm: number | undefined;
  let minW = Infinity;
  let tests = 0;
  for (let i = 0; i < count; i++) {
    const q = stream.next().value as Query;
    const verdict = detector.observe(q.input, q.predictedClass);
    if (verdict === undefined) continue;
    tests++;
    minW = Math.min(minW, verdict.w);
    if (verdict.alarm && firstAlarm === undefined) firstAlarm = verdict.queries;
  }
  return { firstAlarm, minW, tests };
}

test('PRADA stays quiet on 4000 benign queries from a fixed mixture (three seeds)', () => {
  for (const seed of ['benign-1', 'benign-2', 'benign-3']) {
    const result = run(benign(seed), 4000);
    // Every 10 queries at first, then once per 5 % of the pool (at most 2,500 distances here).
    assert.ok(result.tests > 40, `W was tested ${result.tests} times`);
    assert.equal(result.firstAlarm, undefined, `${seed}: min W ${result.minW}`);
  }
});

test('PRADA alarms on a JbDA-like perturbation stream within a few hundred queries', () => {
  const result = run(jbda('attack-1'), 2000);
  assert.ok(result.firstAlarm !== undefined && result.firstAlarm <= 500, String(result.firstAlarm));
});

test('PRADA alarms on a line-search probing stream within a few hundred queries', () => {
  const result = run(lineSearch('attack-2'), 2000);
  assert.ok(result.firstAlarm !== undefined && result.firstAlarm <= 500, String(result.firstAlarm));
});

test('with small capped growing sets, benign stays quiet and attacks still alarm', () => {
  const capped = { maxSetSize: 16, maxDistances: 200 };
  assert.equal(run(benign('benign-4'), 3000, capped).firstAlarm, undefined);
  assert.notEqual(run(jbda('attack-3'), 2000, capped).firstAlarm, undefined);
  assert.notEqual(run(lineSearch('attack-4'), 2000, capped).firstAlarm, undefined);
});

test('W is tested at most every testEvery queries and only with more than minPooled distances', () => {
  const detector = new PradaDetector();
  const stream = benign('cadence');
  const tested: number[] = [];
  for (let i = 1; i <= 300; i++) {
    const q = stream.next().value as Query;
    if (detector.observe(q.input, q.predictedClass) !== undefined) tested.push(i);
  }
  assert.ok(tested.length > 0);
  // Never closer than testEvery queries apart (farther once the pool is large).
  assert.ok(tested.every((i, k) => k === 0 || i - (tested[k - 1] ?? 0) >= 10));
  // Five classes each start their set without a distance, so the first test needs > 105 queries.
  assert.ok(tested[0]! > 100);
});

test('inputs of another dimension and classes beyond maxClasses are ignored', () => {
  const detector = new PradaDetector({ maxClasses: 2 });
  detector.observe([1, 2, 3], 'a');
  detector.observe([1, 2], 'a');
  detector.observe([1, 2, 4], 'b');
  detector.observe([1, 2, 5], 'c');
  assert.equal(detector.queries, 2);
});

test('options out of range are refused', () => {
  for (const bad of [{ delta: 1.5 }, { testEvery: 0 }, { maxSetSize: 0.5 }, { minPooled: 1 }]) {
    assert.throws(
      () => new PradaDetector(bad),
      (e: unknown) => isRampartError(e) && e.code === 'RAMPART_MONITOR_INVALID',
    );
  }
});

test('a stream repeating the same queries alarms at every test', () => {
  const detector = new PradaDetector();
  const rows = [
    [5.1, 3.5, 1.4, 0.2],
    [6.2, 2.9, 4.3, 1.3],
    [7.7, 3.0, 6.1, 2.3],
  ];
  const verdicts = [];
  for (let i = 0; i < 3000; i++) {
    const verdict = detector.observe(rows[i % 3] as number[], i % 3);
    if (verdict !== undefined) verdicts.push(verdict);
  }
  assert.ok(verdicts.length > 0);
  assert.ok(verdicts.every((v) => v.alarm));
});

test('equal distances (exactly repeated queries) are W = 0, an alarm, without a failed test', () => {
  const detector = new PradaDetector();
  const rows = [
    [5, 3, 1, 0],
    [6, 2, 4, 1],
  ];
  const verdicts = [];
  for (let i = 0; i < 400; i++) {
    const verdict = detector.observe(rows[i % 2] as number[], i % 2);
    if (verdict !== undefined) verdicts.push(verdict);
  }
  assert.ok(verdicts.length > 0);
  assert.ok(verdicts.every((v) => v.alarm && v.w === 0));
});
