import assert from 'node:assert/strict';
import { test } from 'node:test';

import { AlertRouter } from './alerts.js';
import type { Alert } from './alerts.js';
import { ExtractionMonitor } from './extraction.js';
import { ExtractionWatch } from './inference-log.js';
import { benign, jbda, lineSearch } from './streams.test-helpers.js';
import type { Query } from './streams.test-helpers.js';

function feed(
  monitor: ExtractionMonitor,
  principal: string,
  stream: Generator<Query>,
  n: number,
  t0 = 0,
) {
  let first: number | undefined;
  for (let i = 0; i < n; i++) {
    const q = stream.next().value as Query;
    const alarm = monitor.observe({
      principal,
      input: q.input,
      outputScores: q.scores,
      predictedClass: q.predictedClass,
      time: t0 + i * 1000,
    });
    if (alarm !== undefined && first === undefined) first = alarm.queries;
  }
  return first;
}

test('benign principals stay quiet while an interleaved attacker is flagged', () => {
  const monitor = new ExtractionMonitor({ rate: { ceilingPerSecond: 5 } });
  const good = benign('client-a');
  const bad = jbda('client-b');
  let attackerAlarm: number | undefined;
  let benignAlarm = false;
  for (let i = 0; i < 1500; i++) {
    const g = good.next().value as Query;
    if (
      monitor.observe({
        principal: 'a',
        input: g.input,
        outputScores: g.scores,
        predictedClass: g.predictedClass,
        time: i * 1000,
      }) !== undefined
    )
      benignAlarm = true;
    const b = bad.next().value as Query;
    const alarm = monitor.observe({
      principal: 'b',
      input: b.input,
      predictedClass: b.predictedClass,
      time: i * 1000,
    });
    if (alarm !== undefined) {
      attackerAlarm ??= alarm.queries;
      assert.ok(alarm.signals.some((s) => s.signal === 'prada'));
    }
  }
  assert.equal(benignAlarm, false);
  assert.ok(attackerAlarm !== undefined && attackerAlarm < 500);
});

test('rate and margin signals raise alarms of their own', () => {
  const monitor = new ExtractionMonitor({ rate: { ceilingPerSecond: 5, windowSeconds: 10 } });
  let alarm;
  const stream = benign('fast');
  for (let i = 0; i < 500; i++) {
    const q = stream.next().value as Query;
    alarm =
      monitor.observe({
        principal: 'fast',
        input: q.input,
        predictedClass: q.predictedClass,
        time: i * 10,
      }) ?? alarm;
  }
  assert.ok(alarm?.signals.some((s) => s.signal === 'rate'));
  assert.notEqual(feed(new ExtractionMonitor(), 'probe', lineSearch('m', 24), 600), undefined);
});

test('a principal that stays suspicious alarms on PRADA tests, not on every query', () => {
  const monitor = new ExtractionMonitor();
  const rows = [
    [5.1, 3.5, 1.4, 0.2],
    [6.2, 2.9, 4.3, 1.3],
    [7.7, 3.0, 6.1, 2.3],
  ];
  let alarms = 0;
  for (let i = 0; i < 3000; i++) {
    const alarm = monitor.observe({
      principal: 'p',
      input: rows[i % 3] as number[],
      predictedClass: i % 3,
    });
    if (alarm !== undefined) alarms++;
  }
  // PRADA tests W at most every 10 queries (testEvery).
  assert.ok(alarms > 0 && alarms <= 300, `${alarms} alarms`);
});

test('principals are capped: the least recently seen is evicted', () => {
  const monitor = new ExtractionMonitor({ maxPrincipals: 3 });
  for (const p of ['a', 'b', 'c', 'a', 'd'])
    monitor.observe({ principal: p, input: [1, 2], predictedClass: 0 });
  assert.equal(monitor.size, 3);
  assert.equal(monitor.evicted, 1);
});

test('the watch runs detection off the caller’s turn and routes one alert per cooldown', async () => {
  const alerts: Alert[] = [];
  const router = new AlertRouter({
    sinks: [{ name: 'm', failed: 0, send: (a) => Promise.resolve(void alerts.push(a)) }],
  });
  const alarmed = new Set<string>();
  const watch = new ExtractionWatch({
    monitor: new ExtractionMonitor(),
    router,
    model: 'demo',
    version: '1',
    onAlarm: (a) => alarmed.add(a.principal),
  });
  const stream = jbda('watch');
  for (let i = 0; i < 1000; i++) {
    const q = stream.next().value as Query;
    assert.equal(
      watch.offer({ principal: 'x', input: q.input, predictedClass: q.predictedClass }),
      true,
    );
  }
  const before = watch.alarms;
  assert.equal(before, 0, 'nothing observed synchronously');
  await watch.flush();
  await router.flush();
  assert.ok(watch.alarms > 0);
  assert.deepEqual([...alarmed], ['x']);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.model, 'demo');
});

test('observe cost per query (reported, not asserted)', () => {
  const monitor = new ExtractionMonitor({ rate: { ceilingPerSecond: 100 } });
  const stream = benign('cost');
  const queries = Array.from({ length: 20_000 }, () => stream.next().value as Query);
  const times = new Float64Array(queries.length);
  queries.forEach((q, i) => {
    const start = process.hrtime.bigint();
    monitor.observe({
      principal: `p${i % 4}`,
      input: q.input,
      outputScores: q.scores,
      predictedClass: q.predictedClass,
      time: i,
    });
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
  });
  const sorted = times.slice(4000).sort();
  const p = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!.toFixed(1);
  console.log(
    `observe (dim 8, 4 principals, set cap 128): p50 ${p(0.5)} µs, p99 ${p(0.99)} µs, max ${p(1)} µs`,
  );
});
