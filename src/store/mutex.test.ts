import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AsyncMutex } from './mutex.js';

describe('AsyncMutex', () => {
  it('runs sections one at a time, in the order they were asked for', async () => {
    const mutex = new AsyncMutex();
    const events: string[] = [];
    const section = (name: string) =>
      mutex.run(async () => {
        events.push(`${name} start`);
        await new Promise((resolve) => setImmediate(resolve));
        events.push(`${name} end`);
        return name;
      });
    assert.deepEqual(await Promise.all([section('a'), section('b'), section('c')]), [
      'a',
      'b',
      'c',
    ]);
    assert.deepEqual(events, ['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('releases the lock when a section throws', async () => {
    const mutex = new AsyncMutex();
    await assert.rejects(mutex.run(() => Promise.reject(new Error('boom'))));
    assert.equal(mutex.busy, false);
    assert.equal(await mutex.run(() => 'next'), 'next');
  });

  it('reports busy while a section runs or waits', async () => {
    const mutex = new AsyncMutex();
    assert.equal(mutex.busy, false);
    const running = mutex.run(() => new Promise((resolve) => setImmediate(resolve)));
    assert.equal(mutex.busy, true);
    await running;
    assert.equal(mutex.busy, false);
  });
});
