import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoNow } from './clock.js';

test('isoNow is the current time as toISOString text', () => {
  const before = Date.now();
  const text = isoNow();
  const after = Date.now();
  assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const at = Date.parse(text);
  assert.ok(at >= before && at <= after, `${text} outside [${before}, ${after}]`);
});

test('isoNow moves on with the clock', async () => {
  const first = isoNow();
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(Date.parse(isoNow()) > Date.parse(first));
});
