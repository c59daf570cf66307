import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { tempDir } from '../../testkit/tmp.js';
import { isRampartError } from '../core/index.js';
import { joinLabels, predictedClass } from './labels.js';
import { InferenceQueue } from './queue.js';
import { RecordBuilder } from './record.js';
import type { InferenceFacts } from './record.js';
import { JsonLinesSink } from './sinks.js';

const dir = tempDir();
const recordsPath = path.join(dir, 'records.jsonl');

async function writeRecords(): Promise<void> {
  const summary = new RecordBuilder('rampart://gateway/t', { mode: 'summary' });
  const full = new RecordBuilder('rampart://gateway/t', { mode: 'full' });
  const queue = new InferenceQueue({ sinks: [new JsonLinesSink(recordsPath)] });
  const base = { model: 'm', version: '1', principal: 'p', latencyMs: 1, status: 200 };
  const facts = (id: string, more: Partial<InferenceFacts>): InferenceFacts => ({
    ...base,
    requestId: id,
    ...more,
  });
  queue.offer(summary.build(facts('r1', { predicted: 'cat' })));
  queue.offer(summary.build(facts('r2', { predicted: 'dog' })));
  queue.offer(summary.build(facts('r3', { predicted: 'cat' })));
  // Outputs kept in full: scores → arg max, a single value → that value.
  queue.offer(
    full.build(
      facts('r4', {
        outputs: [{ name: 'p', datatype: 'FP32', shape: [1, 3], data: [0.1, 0.7, 0.2] }],
      }),
    ),
  );
  queue.offer(
    full.build(
      facts('r5', { outputs: [{ name: 'label', datatype: 'INT64', shape: [1], data: [2] }] }),
    ),
  );
  // Summary mode without a predicted class cannot be joined.
  queue.offer(summary.build(facts('r6', {})));
  await queue.close();
}

test('labels join records by request id into accuracy and per-class accuracy', async () => {
  await writeRecords();
  const labels = [
    { request_id: 'r1', label: 'cat' },
    { request_id: 'r2', label: 'cat' },
    { request_id: 'r3', label: 'cat' },
    { request_id: 'r4', label: 1 },
    { request_id: 'r5', label: 0 },
    { request_id: 'r6', label: 'cat' },
    { request_id: 'r7', label: 'cat' },
    { request_id: 'r1', label: 'dog' },
  ];
  const report = await joinLabels(recordsPath, labels);
  assert.deepEqual(report, {
    matched: 5,
    unmatched: 2,
    duplicates: 1,
    accuracy: 3 / 5,
    per_class: {
      '0': { count: 1, correct: 0, accuracy: 0 },
      '1': { count: 1, correct: 1, accuracy: 1 },
      cat: { count: 3, correct: 2, accuracy: 2 / 3 },
    },
  });
});

test('labels come from CSV or JSON lines files alike', async () => {
  await writeRecords();
  const csv = path.join(dir, 'labels.csv');
  writeFileSync(csv, 'request_id,label\nr1,cat\n"r2",dog\n\nr9,cat\n');
  const jsonl = path.join(dir, 'labels.jsonl');
  writeFileSync(
    jsonl,
    '{"request_id":"r1","label":"cat"}\n{"request_id":"r2","label":"dog"}\n{"request_id":"r9","label":"cat"}\n',
  );
  for (const file of [csv, jsonl]) {
    const report = await joinLabels(recordsPath, file);
    assert.equal(report.matched, 2);
    assert.equal(report.unmatched, 1);
    assert.equal(report.accuracy, 1);
  }
});

test('malformed label files and record logs are refused with the line named', async () => {
  await writeRecords();
  const cases: [string, string][] = [
    ['bad.csv', 'id,label\nr1,cat\n'],
    ['bad.jsonl', '{"request_id":"r1","label":"cat"}\n{oops\n'],
    ['empty-label.jsonl', '{"request_id":"r1","label":""}\n'],
  ];
  for (const [name, text] of cases) {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    await assert.rejects(
      joinLabels(recordsPath, file),
      (e: unknown) => isRampartError(e) && e.code === 'RAMPART_LABELS_INVALID',
    );
  }
  const brokenLog = path.join(dir, 'broken.jsonl');
  writeFileSync(brokenLog, '{"id":"r1","data":{"predicted":1}}\nnot json\n');
  await assert.rejects(joinLabels(brokenLog, []), /line 2 is not JSON/);
  await assert.rejects(
    joinLabels(path.join(dir, 'missing.jsonl'), []),
    (e: unknown) => isRampartError(e) && e.code === 'RAMPART_FILE_NOT_FOUND',
  );
});

test('a record log line longer than the limit is refused without reading it whole', async () => {
  const long = path.join(dir, 'long.jsonl');
  writeFileSync(long, 'x'.repeat(1024 * 1024 + 10));
  await assert.rejects(joinLabels(long, []), /longer than/);
});

test('a batch of scores cannot name one predicted class', () => {
  const record = new RecordBuilder('s', { mode: 'full' }).build({
    requestId: 'b',
    model: 'm',
    version: '1',
    principal: 'p',
    latencyMs: 1,
    status: 200,
    outputs: [{ name: 'p', datatype: 'FP32', shape: [2, 2], data: [0.1, 0.9, 0.8, 0.2] }],
  });
  assert.equal(predictedClass(record), undefined);
});
