import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { canonicalBytes } from './canonical-json.js';
import { sha256 } from './digest.js';
import { signEnvelope } from './dsse.js';
import { isRampartError } from './errors.js';
import { generateKeyPair, keyId, localSigner } from './keys.js';
import {
  IN_TOTO_PAYLOAD_TYPE,
  STATEMENT_TYPE,
  makeStatement,
  parseStatement,
  signStatement,
  statementSubjects,
  verifyStatement,
} from './statement.js';
import { sharedRoot } from '../../testkit/paths.js';

const malformed = (e: unknown) => isRampartError(e, 'RAMPART_DSSE_MALFORMED');
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('in-toto statements', () => {
  const subjects = [{ name: 'model', digest: sha256('weights') }];

  it('builds a Statement v1 with hex subject digests', () => {
    const statement = makeStatement({
      subjects,
      predicateType: 'https://example.com/p/v1',
      predicate: { a: 1 },
    });
    assert.deepEqual(statement, {
      _type: STATEMENT_TYPE,
      subject: [{ name: 'model', digest: { sha256: sha256('weights').slice('sha256:'.length) } }],
      predicateType: 'https://example.com/p/v1',
      predicate: { a: 1 },
    });
    assert.deepEqual(statementSubjects(statement), subjects);
    assert.deepEqual(parseStatement(canonicalBytes(statement)), statement);
  });

  it('refuses to build statements without subjects, with bad digests or without a predicate type', () => {
    assert.throws(
      () => makeStatement({ subjects: [], predicateType: 'p', predicate: {} }),
      malformed,
    );
    assert.throws(
      () =>
        makeStatement({
          subjects: [{ name: 'm', digest: 'sha256:00' }],
          predicateType: 'p',
          predicate: {},
        }),
      malformed,
    );
    assert.throws(() => makeStatement({ subjects, predicateType: '', predicate: {} }), malformed);
  });

  it('parses the golden model_signing statements and keeps unknown fields', () => {
    for (const folder of ['v1.0.0-elliptic-key', 'v1.0.1-elliptic-key', 'v1.1.0-elliptic-key']) {
      const file = path.join(sharedRoot, 'vectors', 'model-signing', folder, 'model.sig');
      const bundle = JSON.parse(readFileSync(file, 'utf8')) as {
        dsseEnvelope: { payload: string };
      };
      const statement = parseStatement(Buffer.from(bundle.dsseEnvelope.payload, 'base64'));
      assert.equal(statement.predicateType, 'https://model_signing/signature/v1.0');
      assert.ok(Array.isArray(statement.predicate.resources));
      assert.match(statementSubjects(statement)[0]!.digest, /^sha256:[0-9a-f]{64}$/);
    }
  });

  it('defaults a missing predicate to an empty object', () => {
    const statement = parseStatement(
      bytes({
        _type: STATEMENT_TYPE,
        subject: [{ name: 'a', digest: { sha256: 'a'.repeat(64) } }],
        predicateType: 'p',
      }),
    );
    assert.deepEqual(statement.predicate, {});
  });

  it('refuses malformed statements as RAMPART_DSSE_MALFORMED', () => {
    const good = {
      _type: STATEMENT_TYPE,
      subject: [{ name: 'a', digest: { sha256: 'a'.repeat(64) } }],
      predicateType: 'p',
      predicate: {},
    };
    const bad: Uint8Array[] = [
      Buffer.from('not json'),
      Buffer.from([0x7b, 0xff, 0x7d]),
      bytes([]),
      bytes({ ...good, _type: 'https://in-toto.io/Statement/v0.1' }),
      bytes({ ...good, subject: [] }),
      bytes({ ...good, subject: {} }),
      bytes({ ...good, subject: [{ digest: { sha256: 'a'.repeat(64) } }] }),
      bytes({ ...good, subject: [{ name: 'a', digest: { sha256: 'A'.repeat(64) } }] }),
      bytes({ ...good, subject: [{ name: 'a', digest: { sha512: 'a'.repeat(128) } }] }),
      bytes({ ...good, subject: [{ name: 'a', digest: { sha256: 'a'.repeat(64), md5: 5 } }] }),
      bytes({ ...good, predicateType: 7 }),
      bytes({ ...good, predicate: [1] }),
    ];
    for (const value of bad)
      assert.throws(() => parseStatement(value), malformed, Buffer.from(value).toString());
  });

  it('signs a statement and verifies it back, with the signing key id', async () => {
    const pair = generateKeyPair('ecdsa-p256');
    const statement = makeStatement({
      subjects,
      predicateType: 'https://example.com/p/v1',
      predicate: { run: 7 },
    });
    const envelope = await signStatement(statement, [localSigner(pair.privateKey)]);
    assert.equal(envelope.payloadType, IN_TOTO_PAYLOAD_TYPE);
    assert.deepEqual(verifyStatement(envelope, [pair.publicKey]), {
      statement,
      keyIds: [keyId(pair.publicKey)],
    });
  });

  it('refuses a verified envelope whose payload type is not in-toto', async () => {
    const pair = generateKeyPair('ed25519');
    const envelope = await signEnvelope(bytes({}), 'application/json', [
      localSigner(pair.privateKey),
    ]);
    assert.throws(() => verifyStatement(envelope, [pair.publicKey]), malformed);
  });
});
