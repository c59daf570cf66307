import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { tempDir } from '../../testkit/tmp.js';
import { InferenceLog } from './inference-log.js';
import { InferenceQueue } from './queue.js';
import type { RecordSink } from './queue.js';
import { RecordBuilder } from './record.js';
import type { InferenceRecord } from './record.js';
import { JsonLinesSink, MemorySink } from './sinks.js';

const builder = new RecordBuilder('rampart://gateway/test', { mode: 'summary' });
const record = (i: number): InferenceRecord =>
  builder.build({
    requestId: `req-${i}`,
    model: 'm',
    version: '1',
    principal: 'p',
    latencyMs: 1,
    status: 200,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [2], data: [i, i + 1] }],
  });

test('offer is synchronous; the drain delivers every record in order in batches', async () => {
  const sink = new MemorySink();
  const batches: number[] = [];
  const counting: RecordSink = { write: (b) => void batches.push(b.length) };
  const queue = new InferenceQueue({ sinks: [sink, counting], batchSize: 100 });
  for (let i = 0; i < 250; i++) assert.equal(queue.offer(record(i)), true);
  assert.equal(sink.records.length, 0, 'nothing is written on the caller’s turn');
  await queue.flush();
  assert.deepEqual(
    sink.records.map((r) => r.id),
    Array.from({ length: 250 }, (_, i) => `req-${i}`),
  );
  assert.deepEqual(batches, [100, 100, 50]);
  assert.equal(queue.consumed, 250);
});

test('a full queue drops and counts; a closed queue drops too', async () => {
  const sink = new MemorySink();
  const queue = new InferenceQueue({ sinks: [sink], capacity: 10 });
  let accepted = 0;
  for (let i = 0; i < 25; i++) if (queue.offer(record(i))) accepted++;
  assert.equal(accepted, 10);
  assert.equal(queue.dropped, 15);
  await queue.close();
  assert.equal(sink.records.length, 10);
  assert.equal(queue.offer(record(99)), false);
  assert.equal(queue.dropped, 16);
});

test('sink failures are counted, never thrown, and other sinks still receive the batch', async () => {
  const sink = new MemorySink();
  const broken: RecordSink = {
    write: () => Promise.reject(new Error('disk full')),
    close: () => {
      throw new Error('close failed');
    },
  };
  const queue = new InferenceQueue({ sinks: [broken, sink], batchSize: 5 });
  for (let i = 0; i < 12; i++) queue.offer(record(i));
  await queue.close();
  assert.equal(sink.records.length, 12);
  assert.equal(queue.sinkFailures, 4);
});

test('the JSON lines sink appends records, owner-only, and rotates by size', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'inference.jsonl');
  const queue = new InferenceQueue({
    sinks: [new JsonLinesSink(file, { maxBytes: 4096, keep: 2 })],
    batchSize: 8,
  });
  for (let i = 0; i < 200; i++) queue.offer(record(i));
  await queue.close();
  const files = readdirSync(dir).sort();
  assert.deepEqual(files, ['inference.jsonl', 'inference.jsonl.1', 'inference.jsonl.2']);
  for (const name of files) {
    const full = path.join(dir, name);
    assert.equal(statSync(full).mode & 0o777, 0o600);
    assert.ok(statSync(full).size <= 4096);
  }
  const last = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as InferenceRecord);
  assert.equal(last.at(-1)?.id, 'req-199');
  assert.equal(last[0]?.specversion, '1.0');
});

test('the inference log builds, offers and counts records it cannot build', async () => {
  const sink = new MemorySink();
  const queue = new InferenceQueue({ sinks: [sink] });
  const log = new InferenceLog({
    builder: new RecordBuilder('rampart://gateway/test', {
      mode: 'hashed',
      salt: 'sixteen-bytes-salt!',
    }),
    queue,
  });
  const facts = {
    requestId: 'a',
    model: 'm',
    version: '1',
    principal: 'p',
    latencyMs: 1,
    status: 200,
  };
  assert.equal(log.log(facts), true);
  const bad = {
    ...facts,
    inputs: [{ name: 'x', datatype: 'FP64', shape: [1], data: [Number.NaN] }],
  };
  assert.equal(log.log(bad), false);
  assert.equal(log.failed, 1);
  await queue.close();
  assert.equal(sink.records.length, 1);
});

test('offer cost (reported, not asserted)', async () => {
  const queue = new InferenceQueue({ sinks: [], capacity: 1_000_000 });
  const r = record(1);
  const n = 200_000;
  for (let i = 0; i < 10_000; i++) queue.offer(r);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) queue.offer(r);
  const ns = Number(process.hrtime.bigint() - start) / n;
  const buildStart = process.hrtime.bigint();
  for (let i = 0; i < 20_000; i++)
    builder.build({
      requestId: 'r',
      model: 'm',
      version: '1',
      principal: 'p',
      latencyMs: 1,
      status: 200,
      inputs: [
        {
          name: 'x',
          datatype: 'FP32',
          shape: [1, 12],
          data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        },
      ],
    });
  const buildNs = Number(process.hrtime.bigint() - buildStart) / 20_000;
  console.log(
    `offer: ${ns.toFixed(0)} ns/op; summary record build (12 floats): ${buildNs.toFixed(0)} ns/op`,
  );
  await queue.close();
});
