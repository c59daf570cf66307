import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';

import { canonicalBytes, isRampartError } from '../core/index.js';
import { INFERENCE_EVENT_TYPE, RecordBuilder, summarise } from './record.js';
import type { InferenceFacts, PrivacyPolicy } from './record.js';

const SALT = 'a-salt-of-at-least-16-bytes';
const facts: InferenceFacts = {
  requestId: 'req-1',
  model: 'fraud',
  version: '3',
  principal: 'key:k1',
  latencyMs: 4.5,
  status: 200,
  time: new Date('2026-11-25T17:40:00.123Z'),
  inputs: [
    { name: 'features', datatype: 'FP32', shape: [1, 3], data: [1, 2, 6] },
    { name: 'merchant', datatype: 'BYTES', shape: [1], data: ['acme'] },
  ],
  outputs: [{ name: 'scores', datatype: 'FP32', shape: [1, 2], data: [0.2, 0.8] }],
  predicted: 1,
};

const build = (policy: PrivacyPolicy) =>
  new RecordBuilder('rampart://gateway/gw-1', policy).build(facts);

test('a record is a CloudEvents 1.0 structured event with the request facts', () => {
  const record = build({ mode: 'none' });
  assert.deepEqual(record, {
    specversion: '1.0',
    id: 'req-1',
    source: 'rampart://gateway/gw-1',
    type: INFERENCE_EVENT_TYPE,
    time: '2026-11-25T17:40:00.123Z',
    datacontenttype: 'application/json',
    subject: 'fraud@3',
    data: {
      request_id: 'req-1',
      model: 'fraud',
      version: '3',
      principal: 'key:k1',
      latency_ms: 4.5,
      status: 200,
      privacy: { mode: 'none' },
      predicted: 1,
    },
  });
  assert.equal(INFERENCE_EVENT_TYPE, 'dev.rampart.inference.v1');
});

test('summary mode keeps numeric summaries and no values', () => {
  const record = build({ mode: 'summary' });
  assert.deepEqual(record.data.inputs, [
    {
      name: 'features',
      datatype: 'FP32',
      shape: [1, 3],
      summary: { count: 3, min: 1, max: 6, mean: 3 },
    },
    { name: 'merchant', datatype: 'BYTES', shape: [1], summary: { count: 1, mean_length: 4 } },
  ]);
  assert.ok(!JSON.stringify(record).includes('acme'));
});

test('hashed mode keys SHA-256 with the salt, which never appears in the record', () => {
  const record = build({ mode: 'hashed', salt: SALT, saltId: 's1' });
  const expected = createHmac('sha256', SALT)
    .update(canonicalBytes({ data: ['acme'], datatype: 'BYTES', shape: [1] }))
    .digest('hex');
  assert.equal(record.data.inputs?.[1]?.hmac_sha256, expected);
  assert.deepEqual(record.data.privacy, { mode: 'hashed', salt_id: 's1' });
  const text = JSON.stringify(record);
  assert.ok(!text.includes(SALT) && !text.includes('acme'));
  const other = new RecordBuilder('x', { mode: 'hashed', salt: `${SALT}-2` }).build(facts);
  assert.notEqual(other.data.inputs?.[1]?.hmac_sha256, expected);
});

test('redacted mode applies keep, hash and drop per tensor name, dropping by default', () => {
  const record = build({
    mode: 'redacted',
    salt: SALT,
    fields: { features: 'keep', merchant: 'hash' },
  });
  assert.deepEqual(record.data.inputs?.[0]?.data, [1, 2, 6]);
  const merchant = (record.data.inputs ?? [])[1];
  assert.match(merchant?.hmac_sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(record.data.outputs, [{ name: 'scores', datatype: 'FP32', shape: [1, 2] }]);
});

test('full mode keeps inputs and outputs', () => {
  const record = build({ mode: 'full' });
  assert.deepEqual(record.data.outputs?.[0]?.data, [0.2, 0.8]);
  assert.deepEqual(record.data.inputs?.[1]?.data, ['acme']);
});

test('hashing without a salt of 16 bytes, and unknown modes, are refused', () => {
  for (const policy of [
    { mode: 'hashed' },
    { mode: 'hashed', salt: 'short' },
    { mode: 'redacted', fields: { a: 'hash' } },
    { mode: 'everything' },
  ] as PrivacyPolicy[]) {
    assert.throws(
      () => new RecordBuilder('x', policy),
      (e: unknown) => isRampartError(e) && e.code === 'RAMPART_MONITOR_INVALID',
    );
  }
});

test('summaries count booleans as 0/1 and skip non-finite values', () => {
  assert.deepEqual(summarise([true, false, true, false]), { count: 4, min: 0, max: 1, mean: 0.5 });
  assert.deepEqual(summarise([Number.NaN, 2]), { count: 2, min: 2, max: 2, mean: 2 });
  assert.deepEqual(summarise([]), { count: 0 });
});
