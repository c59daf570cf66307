import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InFlight, memoryLimitBackend } from './limits.js';

describe('memoryLimitBackend', () => {
  it('lets a burst through, then refills at the rate, per key', () => {
    let now = 0;
    const limits = memoryLimitBackend(() => now);
    assert.equal((limits.take('a', 1, 2, 2) as { allowed: boolean }).allowed, true);
    assert.equal((limits.take('a', 1, 2, 2) as { allowed: boolean }).allowed, true);
    assert.deepEqual(limits.take('a', 1, 2, 2), { allowed: false, retryAfterMs: 500 });
    assert.deepEqual(limits.take('b', 1, 2, 2), { allowed: true, retryAfterMs: 0 });
    now = 500;
    assert.deepEqual(limits.take('a', 1, 2, 2), { allowed: true, retryAfterMs: 0 });
    now = 100_000;
    assert.deepEqual(limits.take('a', 2, 2, 2), { allowed: true, retryAfterMs: 0 });
  });
});

describe('InFlight', () => {
  it('refuses past the cap until a slot is released', () => {
    const inFlight = new InFlight();
    assert.equal(inFlight.tryAcquire('k', 2), true);
    assert.equal(inFlight.tryAcquire('k', 2), true);
    assert.equal(inFlight.tryAcquire('k', 2), false);
    inFlight.release('k');
    assert.equal(inFlight.tryAcquire('k', 2), true);
    assert.deepEqual([...inFlight.entries()], [['k', 2]]);
  });
});
