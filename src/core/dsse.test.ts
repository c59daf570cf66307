import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isRampartError } from './errors.js';
import type { ErrorCode } from './errors.js';
import { MAX_SIGNATURES, pae, parseEnvelope, signEnvelope, verifyEnvelope } from './dsse.js';
import type { Envelope } from './dsse.js';
import { generateKeyPair, keyId, loadPublicKey, localSigner } from './keys.js';
import { sharedRoot } from '../../testkit/paths.js';

const VECTORS = path.join(sharedRoot, 'vectors', 'model-signing');
const TYPE = 'application/vnd.in-toto+json';

function code(expected: ErrorCode) {
  return (e: unknown) => isRampartError(e, expected);
}

function goldenEnvelope(folder: string): unknown {
  const bundle = JSON.parse(readFileSync(path.join(VECTORS, folder, 'model.sig'), 'utf8')) as {
    dsseEnvelope: unknown;
  };
  return bundle.dsseEnvelope;
}

describe('pae', () => {
  it('matches the DSSE specification example', () => {
    assert.equal(
      pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString(),
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  it('counts lengths in UTF-8 bytes, not characters', () => {
    assert.equal(pae('ä', Buffer.from('é€')).toString(), 'DSSEv1 2 ä 5 é€');
    assert.equal(pae('', new Uint8Array()).toString(), 'DSSEv1 0  0 ');
  });
});

describe('DSSE envelopes', () => {
  const alice = generateKeyPair('ecdsa-p256');
  const bob = generateKeyPair('ed25519');
  const payload = Buffer.from('{"hello":"world"}');

  it('verifies an envelope signed by a trusted key and returns its payload', async () => {
    const envelope = await signEnvelope(payload, TYPE, [localSigner(alice.privateKey)]);
    const parsed = parseEnvelope(JSON.parse(JSON.stringify(envelope)));
    const verified = verifyEnvelope(parsed, [alice.publicKey]);
    assert.deepEqual(verified, { payload, payloadType: TYPE, keyIds: [keyId(alice.publicKey)] });
  });

  it('fails with RAMPART_SIGNATURE_INVALID for untrusted keys or altered fields', async () => {
    const envelope = await signEnvelope(payload, TYPE, [localSigner(alice.privateKey)]);
    assert.throws(
      () => verifyEnvelope(envelope, [bob.publicKey]),
      code('RAMPART_SIGNATURE_INVALID'),
    );
    assert.throws(() => verifyEnvelope(envelope, []), code('RAMPART_SIGNATURE_INVALID'));
    const otherPayload = {
      ...envelope,
      payload: Buffer.from('{"hello":"World"}').toString('base64'),
    };
    assert.throws(
      () => verifyEnvelope(otherPayload, [alice.publicKey]),
      code('RAMPART_SIGNATURE_INVALID'),
    );
    const otherType = { ...envelope, payloadType: 'application/json' };
    assert.throws(
      () => verifyEnvelope(otherType, [alice.publicKey]),
      code('RAMPART_SIGNATURE_INVALID'),
    );
  });

  it('counts each trusted key once towards the threshold', async () => {
    const aliceSigner = localSigner(alice.privateKey);
    const twice = await signEnvelope(payload, TYPE, [aliceSigner, aliceSigner]);
    assert.throws(
      () => verifyEnvelope(twice, [alice.publicKey, alice.publicKey], { threshold: 2 }),
      code('RAMPART_SIGNATURE_INVALID'),
    );
    const both = await signEnvelope(payload, TYPE, [aliceSigner, localSigner(bob.privateKey)]);
    const verified = verifyEnvelope(both, [bob.publicKey, alice.publicKey, alice.publicKey], {
      threshold: 2,
    });
    assert.deepEqual(
      new Set(verified.keyIds),
      new Set([keyId(alice.publicKey), keyId(bob.publicKey)]),
    );
    assert.equal(verified.keyIds.length, 2);
  });

  it('ignores the unauthenticated keyid hint when matching keys', async () => {
    const envelope = await signEnvelope(payload, TYPE, [localSigner(alice.privateKey)]);
    const relabelled: Envelope = {
      ...envelope,
      signatures: envelope.signatures.map((s) => ({ ...s, keyid: 'bob' })),
    };
    assert.deepEqual(verifyEnvelope(relabelled, [alice.publicKey]).keyIds, [
      keyId(alice.publicKey),
    ]);
  });

  it('refuses a bad threshold or signer count as RAMPART_USAGE', async () => {
    const envelope = await signEnvelope(payload, TYPE, [localSigner(alice.privateKey)]);
    assert.throws(
      () => verifyEnvelope(envelope, [alice.publicKey], { threshold: 0 }),
      code('RAMPART_USAGE'),
    );
    await assert.rejects(signEnvelope(payload, TYPE, []), code('RAMPART_USAGE'));
  });

  for (const folder of ['v1.0.0-elliptic-key', 'v1.0.1-elliptic-key', 'v1.1.0-elliptic-key']) {
    it(`verifies the golden ${folder} signature (P-384, SHA-384) and rejects a flipped byte`, async () => {
      const key = await loadPublicKey(
        path.join(VECTORS, 'keys', 'certificate', 'signing-key-pub.pem'),
      );
      const envelope = parseEnvelope(goldenEnvelope(folder));
      assert.equal(verifyEnvelope(envelope, [key]).payloadType, TYPE);
      const bytes = Buffer.from(envelope.payload, 'base64');
      bytes[bytes.length >> 1]! ^= 0x01;
      const flipped = { ...envelope, payload: bytes.toString('base64') };
      assert.throws(() => verifyEnvelope(flipped, [key]), code('RAMPART_SIGNATURE_INVALID'));
    });
  }
});

describe('parseEnvelope', () => {
  const good = {
    payload: 'aGVsbG8=',
    payloadType: TYPE,
    signatures: [{ keyid: 'k', sig: 'c2ln' }],
  };

  it('accepts a well-formed envelope and turns a null or missing keyid into ""', () => {
    assert.deepEqual(parseEnvelope(good), good);
    const nullId = parseEnvelope({
      ...good,
      signatures: [{ keyid: null, sig: 'c2ln' }, { sig: 'c2ln' }],
    });
    assert.deepEqual(
      nullId.signatures.map((s) => s.keyid),
      ['', ''],
    );
    assert.equal(parseEnvelope({ ...good, payload: 'aGVsbG8' }).payload, 'aGVsbG8');
  });

  it('refuses malformed shapes and non-canonical base64 as RAMPART_DSSE_MALFORMED', () => {
    const bad: unknown[] = [
      null,
      [],
      'envelope',
      { ...good, payloadType: undefined },
      { ...good, payloadType: '' },
      { ...good, payloadType: 'x'.repeat(300) },
      { ...good, payload: 42 },
      { ...good, payload: 'aGVs bG8=' },
      { ...good, payload: 'aGVsbG8=\n' },
      { ...good, payload: 'aGVsbG9=' },
      { ...good, payload: '!!!!' },
      { ...good, payload: 'aGVsbG8=aGVs' },
      { ...good, signatures: [] },
      { ...good, signatures: {} },
      { ...good, signatures: [null] },
      { ...good, signatures: [{ keyid: 7, sig: 'c2ln' }] },
      { ...good, signatures: [{ keyid: 'k' }] },
      { ...good, signatures: [{ keyid: 'k', sig: Buffer.alloc(2000).toString('base64') }] },
      { ...good, signatures: Array.from({ length: MAX_SIGNATURES + 1 }, () => good.signatures[0]) },
    ];
    for (const value of bad) {
      assert.throws(
        () => parseEnvelope(value),
        code('RAMPART_DSSE_MALFORMED'),
        JSON.stringify(value),
      );
    }
  });

  it('enforces the payload size limit', () => {
    const payload = Buffer.alloc(100).toString('base64');
    assert.equal(parseEnvelope({ ...good, payload }, { maxPayloadBytes: 100 }).payload, payload);
    assert.throws(
      () => parseEnvelope({ ...good, payload }, { maxPayloadBytes: 99 }),
      code('RAMPART_DSSE_MALFORMED'),
    );
  });
});
