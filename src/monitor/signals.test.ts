import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isRampartError } from '../core/index.js';
import { CoverageSignal, coverageReference, MarginSignal, RateSignal } from './signals.js';
import type { SignalReading } from './signals.js';
import { benign, lineSearch, uniform } from './streams.test-helpers.js';
import type { Query } from './streams.test-helpers.js';
import { Rng } from '../../testkit/fuzz-rng.js';

const take = (stream: Generator<Query>, n: number): Query[] =>
  Array.from({ length: n }, () => stream.next().value as Query);

test('the rate signal follows a steady rate and alarms above its ceiling', () => {
  const slow = new RateSignal({ ceilingPerSecond: 5, windowSeconds: 10 });
  let reading: SignalReading | undefined;
  for (let t = 0; t < 60_000; t += 1000) reading = slow.observe(t);
  assert.ok(reading !== undefined && !reading.alarm);
  assert.ok(Math.abs(reading.value - 0.1 / (1 - Math.exp(-0.1))) < 0.05, String(reading.value));
  const fast = new RateSignal({ ceilingPerSecond: 5, windowSeconds: 10 });
  for (let t = 0; t < 60_000; t += 100) reading = fast.observe(t);
  assert.ok(reading.alarm && reading.value > 9);
});

test('the rate signal does not jump when the clock steps back', () => {
  const rate = new RateSignal({ ceilingPerSecond: 5, windowSeconds: 10 });
  rate.observe(100_000);
  const reading = rate.observe(0);
  assert.ok(reading.value <= 0.2 + 1e-9);
});

test('coverage stays near the reference for benign traffic and rises for uniform probing', () => {
  const reference = coverageReference(
    take(benign('reference'), 5000).map((q) => q.input),
    10,
  );
  const quiet = new CoverageSignal({ reference });
  let reading: SignalReading | undefined;
  for (const q of take(benign('client'), 1000)) reading = quiet.observe(q.input) ?? reading;
  assert.ok(reading !== undefined && !reading.alarm && Math.abs(reading.value) < 0.05);

  const rng = new Rng('probe');
  const probing = new CoverageSignal({ reference });
  for (let i = 0; i < 1000; i++) {
    const x = reference.min.map((lo, f) => lo + (reference.max[f]! - lo) * uniform(rng));
    reading = probing.observe(x) ?? reading;
  }
  assert.ok(reading.alarm, String(reading.value));
});

test('coverage says nothing before minQueries and ignores other dimensions', () => {
  const reference = coverageReference([
    [0, 0],
    [1, 1],
  ]);
  const signal = new CoverageSignal({ reference, minQueries: 3, window: 10 });
  assert.equal(signal.observe([0.5, 0.5]), undefined);
  assert.equal(signal.observe([0.5]), undefined);
  assert.equal(signal.observe([0.5, 0.5]), undefined);
  assert.notEqual(signal.observe([0.5, 0.5]), undefined);
});

test('the margin signal alarms on boundary probing, not on benign traffic', () => {
  const benignMargin = new MarginSignal();
  let reading: SignalReading | undefined;
  for (const q of take(benign('margin'), 1000)) reading = benignMargin.observe(q.scores) ?? reading;
  assert.ok(reading !== undefined && !reading.alarm, String(reading?.value));

  const probing = new MarginSignal();
  for (const q of take(lineSearch('margin-attack', 24), 1000)) {
    reading = probing.observe(q.scores) ?? reading;
  }
  assert.ok(reading.alarm, String(reading.value));
});

test('the margin share is exact over the window', () => {
  const signal = new MarginSignal({ window: 10, maxShare: 0.5 });
  for (let i = 0; i < 9; i++) assert.equal(signal.observe([0.5, 0.45, 0.05]), undefined);
  assert.deepEqual(signal.observe([0.9, 0.1]), { value: 0.9, threshold: 0.5, alarm: true });
  for (let i = 0; i < 10; i++) signal.observe([0.9, 0.1]);
  assert.equal(signal.observe([1]), undefined);
  assert.equal(signal.observe([0.9, 0.1])?.value, 0);
});

test('signal settings out of range are refused', () => {
  const refused = (f: () => unknown): void => {
    assert.throws(f, (e: unknown) => isRampartError(e) && e.code === 'RAMPART_MONITOR_INVALID');
  };
  refused(() => new RateSignal({ ceilingPerSecond: 0 }));
  refused(() => new MarginSignal({ window: 3 }));
  refused(() => coverageReference([]));
  refused(() => coverageReference([[1], [1, 2]]));
});
