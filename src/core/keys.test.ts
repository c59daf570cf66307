import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isRampartError } from './errors.js';
import type { ErrorCode } from './errors.js';
import {
  generateKeyPair,
  keyAlgorithm,
  keyId,
  loadPrivateKey,
  loadPublicKey,
  localSigner,
  savePrivateKey,
  savePublicKey,
  toPublicKey,
  verifySignature,
} from './keys.js';
import { sharedRoot } from '../../testkit/paths.js';
import { tempDir } from '../../testkit/tmp.js';

const GOLDEN_KEYS = path.join(sharedRoot, 'vectors', 'model-signing', 'keys', 'certificate');
// publicKey.hint in the golden v1.1.0-elliptic-key bundle.
const GOLDEN_HINT = 'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e';

function code(expected: ErrorCode) {
  return (e: unknown) => isRampartError(e, expected);
}

describe('keys', () => {
  it('computes the key id model_signing writes as publicKey.hint', async () => {
    const key = await loadPublicKey(path.join(GOLDEN_KEYS, 'signing-key-pub.pem'));
    assert.equal(keyAlgorithm(key), 'ecdsa-p384');
    assert.equal(keyId(key), GOLDEN_HINT);
    const bundle = JSON.parse(
      readFileSync(
        path.join(sharedRoot, 'vectors/model-signing/v1.1.0-elliptic-key/model.sig'),
        'utf8',
      ),
    ) as { verificationMaterial: { publicKey: { hint: string } } };
    assert.equal(bundle.verificationMaterial.publicKey.hint, keyId(key));
  });

  it('loads the golden P-384 private key despite the text before its PEM block', async () => {
    const key = await loadPrivateKey(path.join(GOLDEN_KEYS, 'signing-key.pem'));
    assert.equal(keyId(key), GOLDEN_HINT);
  });

  for (const algorithm of ['ecdsa-p256', 'ed25519'] as const) {
    it(`generates, saves, loads and signs with ${algorithm} keys`, async () => {
      const dir = tempDir();
      const pair = generateKeyPair(algorithm);
      const privatePath = path.join(dir, 'signing.key');
      const publicPath = path.join(dir, 'signing.pub');
      await savePrivateKey(privatePath, pair.privateKey);
      await savePublicKey(publicPath, pair.publicKey);
      assert.equal(statSync(privatePath).mode & 0o777, 0o600);
      assert.match(readFileSync(privatePath, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
      assert.match(readFileSync(publicPath, 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);

      const signer = localSigner(await loadPrivateKey(privatePath));
      const publicKey = await loadPublicKey(publicPath);
      assert.equal(signer.algorithm, algorithm);
      assert.equal(signer.keyId, keyId(pair.publicKey));
      assert.equal(keyId(publicKey), signer.keyId);
      const data = Buffer.from('statement bytes');
      const signature = await signer.sign(data);
      assert.equal(verifySignature(publicKey, data, signature), true);
      assert.equal(verifySignature(publicKey, Buffer.from('statement bytez'), signature), false);
      assert.equal(verifySignature(publicKey, data, Buffer.from('not a signature')), false);
    });
  }

  it('refuses to overwrite an existing private key and leaves no temp files', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'signing.key');
    await savePrivateKey(file, generateKeyPair('ed25519').privateKey);
    const before = readFileSync(file, 'utf8');
    await assert.rejects(
      savePrivateKey(file, generateKeyPair('ed25519').privateKey),
      code('RAMPART_STORE_CONFLICT'),
    );
    assert.equal(readFileSync(file, 'utf8'), before);
    assert.deepEqual(readdirSync(dir), ['signing.key']);
  });

  it('refuses to save a public key as a private key', async () => {
    const file = path.join(tempDir(), 'signing.key');
    await assert.rejects(
      savePrivateKey(file, generateKeyPair('ed25519').publicKey),
      code('RAMPART_KEY_INVALID'),
    );
  });

  it('reports missing, garbage and wrong-kind key files', async () => {
    const dir = tempDir();
    const pair = generateKeyPair('ecdsa-p256');
    const files = {
      garbage: 'hello',
      badPem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      badPrivatePem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      public: pair.publicKey.export({ type: 'spki', format: 'pem' }),
      private: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      encrypted: pair.privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'pw',
      }),
      huge: 'x'.repeat(70_000),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const at = (name: string) => path.join(dir, name);
    await assert.rejects(loadPrivateKey(at('missing')), code('RAMPART_KEY_NOT_FOUND'));
    await assert.rejects(loadPublicKey(at('missing')), code('RAMPART_KEY_NOT_FOUND'));
    for (const name of ['garbage', 'badPrivatePem', 'public', 'encrypted', 'huge']) {
      await assert.rejects(loadPrivateKey(at(name)), code('RAMPART_KEY_INVALID'), name);
    }
    for (const name of ['garbage', 'badPem', 'private', 'huge']) {
      await assert.rejects(loadPublicKey(at(name)), code('RAMPART_KEY_INVALID'), name);
    }
    // A FIFO or a folder where a key belongs is refused at once, never read or waited on.
    execFileSync('mkfifo', [at('fifo')]);
    await assert.rejects(loadPrivateKey(at('fifo')), code('RAMPART_KEY_INVALID'));
    await assert.rejects(loadPublicKey(dir), code('RAMPART_KEY_INVALID'));
  });

  it('refuses, without crashing the process, an EC key on a curve OpenSSL cannot use', async () => {
    // Found by the fuzzer: a PKCS#8 key on prime239v2 used to abort Node in asymmetricKeyDetails.
    const file = path.join(tempDir(), 'exotic.pem');
    writeFileSync(
      file,
      '-----BEGIN PRIVATE KEY-----\nMEECAQAwEwYHKoZIzj0CAQYIKoZIzj0DAQUEJzAlAgEBBCA0veeUwDW3hG2ID3G2\n' +
        '8ZN+cG4XirpKvHr+TSDOs3wogg==\n-----END PRIVATE KEY-----\n',
    );
    await assert.rejects(loadPrivateKey(file), (e) => isRampartError(e, 'RAMPART_KEY_INVALID'));
  });

  it('refuses RSA and P-521 keys as unsupported', async () => {
    const dir = tempDir();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    for (const [name, pair] of Object.entries({ rsa, p521 })) {
      writeFileSync(
        path.join(dir, `${name}.pub`),
        pair.publicKey.export({ type: 'spki', format: 'pem' }),
      );
      writeFileSync(
        path.join(dir, `${name}.key`),
        pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      );
      await assert.rejects(
        loadPublicKey(path.join(dir, `${name}.pub`)),
        code('RAMPART_KEY_UNSUPPORTED'),
      );
      await assert.rejects(
        loadPrivateKey(path.join(dir, `${name}.key`)),
        code('RAMPART_KEY_UNSUPPORTED'),
      );
      assert.throws(() => localSigner(pair.privateKey), code('RAMPART_KEY_UNSUPPORTED'));
    }
  });

  it('accepts public keys as PEM text, public or private key objects', () => {
    const pair = generateKeyPair('ecdsa-p256');
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const id = keyId(pair.publicKey);
    assert.equal(keyId(pem), id);
    assert.equal(keyId(pair.privateKey), id);
    assert.equal(toPublicKey(pair.privateKey).type, 'public');
    assert.throws(() => toPublicKey('not pem'), code('RAMPART_KEY_INVALID'));
    assert.throws(() => localSigner(pair.publicKey), code('RAMPART_KEY_INVALID'));
  });
});
