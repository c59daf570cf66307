import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalize, isRampartError, type RampartError } from '../core/index.js';
import { EVENT_VERSION, MAX_EVENT_BYTES, toLeaf, type AuditEventInput } from './index.js';

const TIME = new Date('2030-01-02T03:04:05.678Z');
const SALT = Buffer.alloc(32, 3);
const DIGEST = `sha256:${'0f'.repeat(32)}`;

const EVENT: AuditEventInput = {
  actor: { subject: 'alice', type: 'human', source: '192.0.2.1' },
  action: 'model.promote',
  resource: { type: 'model', id: 'fraud@3', digest: DIGEST },
  decision: { allowed: false, reason: 'missing approval' },
  evidence: [DIGEST],
  correlationId: 'req-1',
};

/** The error toLeaf throws for `input`, checked to be RAMPART_AUDIT_EVENT_INVALID. */
function refusal(input: unknown): RampartError {
  try {
    toLeaf(input, TIME, SALT);
  } catch (error) {
    assert.ok(isRampartError(error, 'RAMPART_AUDIT_EVENT_INVALID'), String(error));
    return error;
  }
  assert.fail('the event was accepted');
}

function issuePaths(error: RampartError): string[] {
  const issues = error.details.issues as { path: string }[];
  return issues.map((i) => i.path).sort();
}

describe('toLeaf', () => {
  it('produces canonical JSON bytes of the event it returns', () => {
    const { event, bytes } = toLeaf(EVENT, TIME, SALT);
    assert.equal(bytes.toString('utf8'), canonicalize(event));
    assert.deepEqual(JSON.parse(bytes.toString('utf8')), event);
  });

  it('sets the format version and the time, and keeps every submitted field', () => {
    const { event } = toLeaf(EVENT, TIME, SALT);
    assert.equal(event.version, EVENT_VERSION);
    assert.equal(event.time, '2030-01-02T03:04:05.678Z');
    assert.equal(event.action, EVENT.action);
    assert.deepEqual(event.resource, EVENT.resource);
    assert.deepEqual(event.decision, EVENT.decision);
    assert.deepEqual(event.evidence, EVENT.evidence);
    assert.equal(event.correlationId, EVENT.correlationId);
  });

  it('stores the source address only as its HMAC-SHA-256 under the salt', () => {
    const { event, bytes } = toLeaf(EVENT, TIME, SALT);
    const expected = createHmac('sha256', SALT).update('192.0.2.1').digest('hex');
    assert.deepEqual(event.actor, {
      subject: 'alice',
      type: 'human',
      sourceHash: `hmac-sha256:${expected}`,
    });
    assert.ok(!bytes.toString('utf8').includes('192.0.2.1'));
  });

  it('hashes a source the same way under one salt and differently under another', () => {
    const hash = (salt: Buffer) => toLeaf(EVENT, TIME, salt).event.actor.sourceHash;
    assert.equal(hash(SALT), hash(Buffer.from(SALT)));
    assert.notEqual(hash(SALT), hash(Buffer.alloc(32, 4)));
  });

  it('leaves out the source hash when no source is given', () => {
    const { event } = toLeaf({ ...EVENT, actor: { subject: 'a', type: 'service' } }, TIME, SALT);
    assert.deepEqual(event.actor, { subject: 'a', type: 'service' });
  });

  it('refuses unknown fields at any depth and names where they are', () => {
    const error = refusal({
      ...EVENT,
      extra: 1,
      actor: { ...EVENT.actor, role: 'admin' },
      decision: { allowed: true, score: 3 },
    });
    assert.deepEqual(issuePaths(error), ['(root)', 'actor', 'decision']);
  });

  it('lists every problem of an event at once, with paths', () => {
    const error = refusal({
      actor: { subject: '', type: 'robot' },
      action: 'Model Promote',
      resource: { type: 'model', id: 'm', digest: `sha256:${'AB'.repeat(32)}` },
      decision: { allowed: 'yes' },
      evidence: ['sha256:12'],
    });
    assert.deepEqual(issuePaths(error), [
      'action',
      'actor.subject',
      'actor.type',
      'decision.allowed',
      'evidence.0',
      'resource.digest',
    ]);
  });

  it('refuses values that are not objects', () => {
    for (const input of [null, undefined, 42, 'event', [EVENT]]) refusal(input);
  });

  it('enforces the length limits of fields and the evidence count', () => {
    refusal({ ...EVENT, actor: { subject: 's'.repeat(257), type: 'human' } });
    refusal({ ...EVENT, decision: { allowed: true, reason: 'r'.repeat(1025) } });
    refusal({ ...EVENT, evidence: Array.from({ length: 65 }, () => DIGEST) });
    toLeaf({ ...EVENT, evidence: Array.from({ length: 64 }, () => DIGEST) }, TIME, SALT);
  });

  it('refuses an event whose canonical form is over MAX_EVENT_BYTES', () => {
    // Every field within its own limit; three-byte characters push the whole over 8 KiB.
    const big: AuditEventInput = {
      ...EVENT,
      actor: { subject: '€'.repeat(256), type: 'human' },
      resource: { type: 'model', id: '€'.repeat(512) },
      decision: { allowed: true, reason: '€'.repeat(1024) },
      evidence: Array.from({ length: 64 }, () => DIGEST),
    };
    const error = refusal(big);
    assert.ok((error.details.size as number) > MAX_EVENT_BYTES);
  });

  it('refuses what looks like a secret without repeating it', () => {
    const token = `rmp_${'Q'.repeat(32)}`;
    for (const secret of [token, '-----BEGIN PRIVATE KEY-----', 'Bearer abcdefgh12345']) {
      const error = refusal({ ...EVENT, decision: { allowed: false, reason: `got ${secret}` } });
      assert.ok(!error.message.includes(secret));
      assert.ok(!JSON.stringify(error.details).includes(secret));
    }
    refusal({ ...EVENT, correlationId: token });
  });

  it('turns any valid event into canonical bytes that parse back to the event', () => {
    const text = (max: number) => fc.string({ minLength: 1, maxLength: max });
    const input = fc.record(
      {
        actor: fc.record(
          { subject: text(40), type: fc.constantFrom('human', 'service'), source: text(40) },
          { requiredKeys: ['subject', 'type'] },
        ),
        action: fc.stringMatching(/^[a-z][a-z0-9_.:-]{0,20}$/),
        resource: fc.record({ type: text(20), id: text(40) }),
        decision: fc.record(
          { allowed: fc.boolean(), reason: text(60) },
          { requiredKeys: ['allowed'] },
        ),
        correlationId: text(30),
      },
      { requiredKeys: ['actor', 'action', 'resource', 'decision'] },
    );
    fc.assert(
      fc.property(input, (event) => {
        let leaf;
        try {
          leaf = toLeaf(event, TIME, SALT);
        } catch (error) {
          // Random text may happen to look like a secret; anything else is a failure.
          return (
            isRampartError(error, 'RAMPART_AUDIT_EVENT_INVALID') && !('issues' in error.details)
          );
        }
        const text = leaf.bytes.toString('utf8');
        return canonicalize(JSON.parse(text)) === text && leaf.event.version === EVENT_VERSION;
      }),
      { numRuns: 200 },
    );
  });
});

describe('leaf bytes', () => {
  const text = (max: number) =>
    fc
      .string({ unit: 'binary', minLength: 1, maxLength: max })
      .filter((s) => !/rmp_|Bearer|-----BEGIN/i.test(s));
  const digest = fc
    .uint8Array({ minLength: 32, maxLength: 32 })
    .map((b) => `sha256:${Buffer.from(b).toString('hex')}`);
  const event = fc.record(
    {
      actor: fc.record(
        { subject: text(40), type: fc.constantFrom('human', 'service'), source: text(20) },
        { requiredKeys: ['subject', 'type'] },
      ),
      action: fc.stringMatching(/^[a-z][a-z0-9_.:-]{0,20}$/),
      resource: fc.record(
        { type: text(10), id: text(40), digest },
        { requiredKeys: ['type', 'id'] },
      ),
      decision: fc.record(
        { allowed: fc.boolean(), reason: text(40) },
        { requiredKeys: ['allowed'] },
      ),
      evidence: fc.array(digest, { maxLength: 3 }),
      correlationId: text(20),
    },
    { requiredKeys: ['actor', 'action', 'resource', 'decision'] },
  );

  it('are exactly the RFC 8785 canonical form of the stored event, for any valid event', () => {
    fc.assert(
      fc.property(event, (input) => {
        let leaf: ReturnType<typeof toLeaf>;
        try {
          leaf = toLeaf(input, new Date(0), Buffer.alloc(32, 1));
        } catch (error) {
          // Only canonicalize's own refusal (a lone surrogate) may stop a schema-valid event.
          assert.ok(isRampartError(error));
          assert.equal(error.code, 'RAMPART_JSON_NOT_CANONICALIZABLE');
          assert.throws(() => canonicalize(input));
          return;
        }
        assert.equal(leaf.bytes.toString('utf8'), canonicalize(leaf.event));
      }),
      { numRuns: 2000 },
    );
  });
});
