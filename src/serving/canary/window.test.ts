import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRampartError } from '../../core/index.js';
import { pick } from './pick.js';
import { checkSteps, parseSteps } from './steps.js';
import { Window } from './window.js';

const GATES = { minSamples: 20, maxErrorRate: 0.05, maxP99Ms: 500 };

function windowOf(samples: [latencyMs: number, error: boolean][]): Window {
  const w = new Window(GATES);
  for (const [ms, error] of samples) w.add(ms, error);
  return w;
}

const ok = (n: number, ms = 10): [number, boolean][] =>
  Array.from({ length: n }, () => [ms, false]);
const bad = (n: number, ms = 10): [number, boolean][] =>
  Array.from({ length: n }, () => [ms, true]);

describe('canary window gates', () => {
  it('passes a window with enough fast, successful samples', () => {
    const v = windowOf(ok(100)).verdict();
    assert.equal(v.outcome, 'pass');
    assert.equal(v.samples, 100);
    assert.ok(v.p99Ms >= 10 && v.p99Ms <= 11, `p99 ${v.p99Ms}`);
  });

  it('fails on an error rate above the cap, and not at it', () => {
    assert.equal(windowOf([...ok(95), ...bad(5)]).verdict().outcome, 'pass');
    const v = windowOf([...ok(94), ...bad(6)]).verdict();
    assert.equal(v.outcome, 'fail');
    assert.match(v.reason, /error rate 6\.0% over 100 samples is above 5\.0%/);
  });

  it('fails when p99 latency is over the cap: one slow sample in 100 is allowed, two are not', () => {
    assert.equal(windowOf([...ok(99), [2000, false]]).verdict().outcome, 'pass');
    const v = windowOf([...ok(98), [2000, false], [900, false]]).verdict();
    assert.equal(v.outcome, 'fail');
    assert.match(v.reason, /2 of 100 samples took over 500 ms/);
  });

  it('is inconclusive below minSamples, unless the window could not pass whatever came next', () => {
    const few = windowOf(ok(5)).verdict();
    assert.equal(few.outcome, 'inconclusive');
    assert.match(few.reason, /5 samples, fewer than 20/);
    // 1 error in 5: over a basis of 20 that is 5 %, not above the cap: still undecided.
    assert.equal(windowOf([...ok(4), ...bad(1)]).verdict().outcome, 'inconclusive');
    // 2 errors: even 15 more successes leave 10 %: a definite failure.
    assert.equal(windowOf([...ok(3), ...bad(2)]).verdict().outcome, 'fail');
    assert.equal(windowOf([]).verdict().outcome, 'inconclusive');
  });

  it('counts a latency that is not a finite, non-negative number as too slow', () => {
    const w = windowOf(ok(98));
    w.add(Number.NaN, false);
    w.add(-1, false);
    assert.equal(w.verdict().outcome, 'fail');
  });

  it('reports p99 from the histogram: within one bucket above the true value, never above the max', () => {
    const w = windowOf([...ok(990, 20), ...ok(10, 300)]);
    const p99 = w.p99Ms();
    assert.ok(p99 >= 20 && p99 <= 20 * 2 ** (1 / 8), `p99 ${p99}`);
    const single = windowOf([[123.4, false]]);
    assert.equal(single.p99Ms(), 123.4);
  });
});

describe('canary step schedules', () => {
  it('accepts increasing percentages that end at 100', () => {
    assert.deepEqual(parseSteps('5,25,50,100'), [5, 25, 50, 100]);
    assert.deepEqual(parseSteps('100'), [100]);
  });

  it('refuses schedules that are empty, out of range, not increasing or never reach 100', () => {
    for (const text of [
      '',
      '5,,100',
      '0,100',
      '5,25,50',
      '50,25,100',
      '5,5,100',
      '5,101',
      'a',
      '5, 100',
    ]) {
      assert.throws(
        () => parseSteps(text),
        (e) => isRampartError(e, 'RAMPART_CANARY_STEPS_INVALID'),
        text,
      );
    }
    assert.throws(
      () => checkSteps([1.5, 100]),
      (e) => isRampartError(e, 'RAMPART_CANARY_STEPS_INVALID'),
    );
    const long = Array.from({ length: 21 }, (_, i) => i + 80);
    assert.throws(() => checkSteps(long), /21 steps/);
  });
});

describe('pick: hash-based, deterministic routing', () => {
  it('never picks the canary at 0 and always at 100', () => {
    for (let i = 0; i < 200; i++) {
      assert.equal(pick(0, `k${i}`), 'stable');
      assert.equal(pick(100, `k${i}`), 'canary');
    }
  });

  it('is deterministic per key, and a key on the canary stays there as the weight grows', () => {
    for (let i = 0; i < 500; i++) {
      const key = `caller-${i}`;
      assert.equal(pick(25, key), pick(25, key));
      if (pick(5, key) === 'canary') assert.equal(pick(25, key), 'canary');
      if (pick(25, key) === 'canary') assert.equal(pick(50, key), 'canary');
    }
  });

  it('splits similar keys close to the weight', () => {
    let canary = 0;
    for (let i = 0; i < 10_000; i++) if (pick(25, `req-${i}`) === 'canary') canary++;
    assert.ok(canary > 2200 && canary < 2800, `${canary} of 10000 at 25%`);
  });
});
