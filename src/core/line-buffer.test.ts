import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLineBuffer } from './line-buffer.js';

/** A manual timer: `fire()` runs the scheduled callback, as the event loop would. */
function manualTimer() {
  let scheduled: (() => void) | null = null;
  let delay = -1;
  return {
    setTimer: (callback: () => void, ms: number) => {
      scheduled = callback;
      delay = ms;
      return {};
    },
    clearTimer: () => {
      scheduled = null;
    },
    fire: () => {
      const callback = scheduled;
      scheduled = null;
      callback?.();
    },
    get pending() {
      return scheduled !== null;
    },
    get delay() {
      return delay;
    },
  };
}

test('holds lines until the delay passes, then writes them in order in one write', () => {
  const writes: string[] = [];
  const timer = manualTimer();
  const lines = createLineBuffer((text) => writes.push(text), { maxDelayMs: 7, ...timer });
  lines.write('a\n');
  lines.write('b\n');
  lines.write('c\n');
  assert.deepEqual(writes, []);
  assert.equal(timer.delay, 7);
  timer.fire();
  assert.deepEqual(writes, ['a\nb\nc\n']);
  assert.equal(timer.pending, false);
  lines.write('d\n');
  assert.equal(timer.pending, true, 'the next line starts a new delay');
  lines.close();
});

test('writes at once when the buffer reaches its size, and cancels the pending timer', () => {
  const writes: string[] = [];
  const timer = manualTimer();
  const lines = createLineBuffer((text) => writes.push(text), { maxChars: 10, ...timer });
  lines.write('12345\n');
  assert.deepEqual(writes, []);
  lines.write('6789\n');
  assert.deepEqual(writes, ['12345\n6789\n']);
  assert.equal(timer.pending, false);
  timer.fire();
  assert.deepEqual(writes, ['12345\n6789\n'], 'nothing is written twice');
  lines.close();
});

test('flush and close write what is queued, later lines go straight out; an empty buffer writes nothing', () => {
  const writes: string[] = [];
  const timer = manualTimer();
  const lines = createLineBuffer((text) => writes.push(text), timer);
  lines.flush();
  assert.deepEqual(writes, []);
  lines.write('x\n');
  lines.flush();
  lines.write('y\n');
  lines.close();
  assert.deepEqual(writes, ['x\n', 'y\n']);
  assert.equal(timer.pending, false);
  lines.write('after close\n');
  assert.deepEqual(writes, ['x\n', 'y\n', 'after close\n'], 'written at once, not lost');
  assert.equal(timer.pending, false);
});

test('a real timer writes the lines without being flushed, and does not hold the process', async () => {
  const writes: string[] = [];
  const lines = createLineBuffer((text) => writes.push(text), { maxDelayMs: 1 });
  lines.write('late\n');
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(writes, ['late\n']);
  lines.close();
});

test('close stops watching for exit, so many buffers leak no listeners', () => {
  const before = process.listenerCount('exit');
  for (let i = 0; i < 50; i++) createLineBuffer(() => undefined).close();
  assert.equal(process.listenerCount('exit'), before);
});
