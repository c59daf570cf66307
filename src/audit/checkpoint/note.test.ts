import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { generateKeyPair, isRampartError, localSigner } from '../../core/index.js';
import type { ErrorCode } from '../../core/index.js';
import { MAX_NOTE_BYTES, noteSigner, openNote, signNote } from './note.js';
import { parseVerifierKey, verifierKey } from './vkey.js';

const code = (expected: ErrorCode) => (e: unknown) => isRampartError(e, expected);

// golang.org/x/mod sumdb/note example key "PeterNeumann" (seed from its PRIVATE+KEY string).
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(
  1,
);
const PETER_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_NOTE = `${PETER_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

// The example of the C2SP signed-note specification.
const FOO_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const FOO_NOTE =
  'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

function peterSigner() {
  const x = Buffer.from(PETER_VKEY.split('+')[2] ?? '', 'base64').subarray(1);
  const privateKey = createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      d: PETER_SEED.toString('base64url'),
      x: x.toString('base64url'),
    },
    format: 'jwk',
  });
  return noteSigner('PeterNeumann', localSigner(privateKey), privateKey);
}

function flipBit(text: string, bit: number): string {
  const bytes = Buffer.from(text, 'utf8');
  const at = bit >> 3;
  bytes[at] = (bytes[at] ?? 0) ^ (1 << (bit & 7));
  return bytes.toString('utf8');
}

describe('signed note (C2SP signed-note)', () => {
  it('opens the example notes of the spec and of Go sumdb/note', () => {
    const foo = openNote(FOO_NOTE, [parseVerifierKey(FOO_VKEY)]);
    assert.equal(foo.text, 'This is an example message.\n');
    assert.deepEqual(foo.verified, [{ name: 'example.com/foo', keyHash: 0x530d903a }]);
    const peter = openNote(PETER_NOTE, [parseVerifierKey(PETER_VKEY), parseVerifierKey(FOO_VKEY)]);
    assert.equal(peter.text, PETER_TEXT);
  });

  it('signs the Go example byte for byte (Ed25519 is deterministic)', async () => {
    assert.equal(await signNote(PETER_TEXT, [peterSigner()]), PETER_NOTE);
  });

  it('rejects the examples after any single-bit change', () => {
    const verifiers = [parseVerifierKey(FOO_VKEY), parseVerifierKey(PETER_VKEY)];
    for (const note of [FOO_NOTE, PETER_NOTE]) {
      const bits = Buffer.byteLength(note) * 8;
      for (let bit = 0; bit < bits; bit++) {
        assert.throws(() => openNote(flipBit(note, bit), verifiers), isRampartError, `bit ${bit}`);
      }
    }
  });

  it('round-trips notes signed by fresh keys, with several signers', async () => {
    const names = ['rampart.example/audit', 'witness.example'];
    const pairs = names.map(() => generateKeyPair('ed25519'));
    const signers = names.map((n, i) =>
      noteSigner(n, localSigner(pairs[i]?.privateKey ?? assert.fail()), pairs[i]?.publicKey ?? ''),
    );
    const vkeys = names.map((n, i) => verifierKey(n, pairs[i]?.publicKey ?? ''));
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 200 }), async (body) => {
        const text = `${body.replace(/\p{Cc}/gu, '')}\n`;
        const note = await signNote(text, signers);
        const opened = openNote(note, vkeys.map(parseVerifierKey));
        assert.equal(opened.text, text);
        assert.equal(opened.verified.length, 2);
      }),
      { numRuns: 50 },
    );
  });

  it('ignores unknown keys but needs one known valid signature', async () => {
    const pair = generateKeyPair('ed25519');
    const other = noteSigner('other', localSigner(pair.privateKey), pair.publicKey);
    const note = await signNote(PETER_TEXT, [other, peterSigner()]);
    const opened = openNote(note, [parseVerifierKey(PETER_VKEY)]);
    assert.deepEqual(
      opened.unknown.map((k) => k.name),
      ['other'],
    );
    assert.throws(
      () => openNote(note, [parseVerifierKey(FOO_VKEY)]),
      code('RAMPART_SIGNATURE_INVALID'),
    );
  });

  it('rejects a note when a known key signed something else', () => {
    const peterSig = PETER_NOTE.split('\n').at(-2) ?? '';
    const forged = `${FOO_NOTE}${peterSig}\n`;
    const verifiers = [parseVerifierKey(FOO_VKEY), parseVerifierKey(PETER_VKEY)];
    assert.throws(() => openNote(forged, verifiers), code('RAMPART_SIGNATURE_INVALID'));
  });

  it('gives coded errors for malformed notes', () => {
    const verifiers = [parseVerifierKey(FOO_VKEY)];
    const sigLine = FOO_NOTE.split('\n').at(-2) ?? '';
    const bad = {
      'no blank line': `This is an example message.\n${sigLine}\n`,
      'no signatures': 'This is an example message.\n\n',
      'no final newline': FOO_NOTE.slice(0, -1),
      'bad base64': FOO_NOTE.replace('Uw2Q', 'Uw*Q'),
      'non-canonical base64': FOO_NOTE.replace('aQM=', 'aQN='),
      'short signature': 'This is an example message.\n\n— example.com/foo Uw2QOg==\n',
      'hyphen instead of em dash': FOO_NOTE.replace('—', '-'),
      'extra field': FOO_NOTE.replace('\n— example.com/foo ', '\n— example.com/foo x '),
      'duplicate signature': `${FOO_NOTE}${sigLine}\n`,
      'control character': FOO_NOTE.replace('example message', 'example\u0007message'),
    };
    for (const [what, note] of Object.entries(bad)) {
      assert.throws(() => openNote(note, verifiers), code('RAMPART_CHECKPOINT_MALFORMED'), what);
    }
    const long = `${'a'.repeat(MAX_NOTE_BYTES)}\n\n${sigLine}\n`;
    assert.throws(() => openNote(long, verifiers), code('RAMPART_LIMIT_EXCEEDED'));
    const many = `${FOO_NOTE}${Array.from({ length: 100 }, (_, i) => `— k${i} AAAAAAA=\n`).join('')}`;
    assert.throws(() => openNote(many, verifiers), code('RAMPART_LIMIT_EXCEEDED'));
  });

  it('refuses to sign text without a final newline or with control characters', async () => {
    const signer = peterSigner();
    await assert.rejects(signNote('no newline', [signer]), code('RAMPART_CHECKPOINT_MALFORMED'));
    await assert.rejects(signNote('tab\there\n', [signer]), code('RAMPART_CHECKPOINT_MALFORMED'));
    await assert.rejects(signNote('ok\n', []), code('RAMPART_CHECKPOINT_MALFORMED'));
  });
});

describe('verifier keys', () => {
  it('formats the key of the spec example as published', () => {
    const verifier = parseVerifierKey(FOO_VKEY);
    assert.equal(verifier.name, 'example.com/foo');
    assert.equal(verifier.keyHash, 0x530d903a);
    const pair = generateKeyPair('ed25519');
    const vkey = verifierKey('rampart.example/audit', pair.publicKey);
    assert.equal(parseVerifierKey(vkey).name, 'rampart.example/audit');
  });

  it('round-trips the Go example key and rejects manglings', () => {
    const x = Buffer.from(PETER_VKEY.split('+')[2] ?? '', 'base64').subarray(1);
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') };
    const publicKey = createPrivateKey({
      key: { ...jwk, d: PETER_SEED.toString('base64url') },
      format: 'jwk',
    });
    assert.equal(verifierKey('PeterNeumann', publicKey), PETER_VKEY);
    for (const bad of [
      'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T',
      'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      '+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann',
    ]) {
      assert.throws(() => parseVerifierKey(bad), code('RAMPART_CHECKPOINT_MALFORMED'), bad);
    }
    const otherType = `x+00000000+${Buffer.concat([Buffer.from([2]), x]).toString('base64')}`;
    assert.throws(() => parseVerifierKey(otherType), code('RAMPART_KEY_UNSUPPORTED'));
  });

  it('refuses non-Ed25519 keys and mismatched signers', () => {
    const ec = generateKeyPair('ecdsa-p256');
    assert.throws(() => verifierKey('log', ec.publicKey), code('RAMPART_KEY_UNSUPPORTED'));
    const a = generateKeyPair('ed25519');
    const b = generateKeyPair('ed25519');
    assert.throws(
      () => noteSigner('log', localSigner(a.privateKey), b.publicKey),
      code('RAMPART_KEY_INVALID'),
    );
    assert.throws(
      () => noteSigner('lo g', localSigner(a.privateKey), a.publicKey),
      code('RAMPART_CHECKPOINT_MALFORMED'),
    );
  });
});
