import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { appendFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { rampart } from '../testkit/cli.js';
import { sharedRoot } from '../testkit/paths.js';
import { tempDir } from '../testkit/tmp.js';

const vectors = path.join(sharedRoot, 'vectors', 'model-signing');
const keys = path.join(vectors, 'keys', 'certificate');
const publicKey = path.join(keys, 'signing-key-pub.pem');
const rootCa = path.join(keys, 'ca-cert.pem');

interface Vector {
  readonly folder: string;
  /** The model path inside the folder ('' = the folder itself). */
  readonly model: string;
  readonly trust: string[];
}

// The README's "valid" rows: key and certificate methods, v1.0.0 to v1.1.0.
const VALID: Vector[] = [
  { folder: 'v1.0.0-elliptic-key', model: 'signme-1', trust: ['--key', publicKey] },
  { folder: 'v1.0.1-elliptic-key', model: '', trust: ['--key', publicKey] },
  { folder: 'v1.1.0-elliptic-key', model: '', trust: ['--key', publicKey] },
  { folder: 'v1.0.0-certificate', model: '', trust: ['--certificate-chain', rootCa] },
  { folder: 'v1.0.1-certificate', model: '', trust: ['--certificate-chain', rootCa] },
  { folder: 'v1.1.0-certificate', model: '', trust: ['--certificate-chain', rootCa] },
];

/** A private copy of a vector folder, so tampering never touches the shared files. */
function copyOf(folder: string): string {
  const copy = path.join(tempDir('rampart-golden-'), folder);
  cpSync(path.join(vectors, folder), copy, { recursive: true });
  return copy;
}

function verifyArgs(copy: string, vector: Vector, trust = vector.trust): string[] {
  const folder = vector.model === '';
  return [
    'verify',
    folder ? copy : path.join(copy, vector.model),
    ...trust,
    '--signature',
    path.join(copy, 'model.sig'),
    ...(folder ? ['--ignore-paths', 'ignore-me'] : []),
    '--home',
    path.join(copy, 'no-state'),
  ];
}

describe('golden model_signing signatures', () => {
  for (const vector of VALID) {
    describe(vector.folder, () => {
      it('verifies with rampart verify', async () => {
        const copy = copyOf(vector.folder);
        const run = await rampart(verifyArgs(copy, vector));
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^Verified /);
      });

      it('fails with exit 1 naming a file when one byte changes', async () => {
        const copy = copyOf(vector.folder);
        const target = path.join(copy, 'signme-1');
        appendFileSync(target, 'x');
        const run = await rampart(verifyArgs(copy, vector));
        assert.equal(run.code, 1);
        assert.match(run.stdout, /changed: (signme-1|\.)/);
      });

      if (vector.trust[0] === '--key') {
        it('fails with exit 1 naming the key when verified with another key', async () => {
          const copy = copyOf(vector.folder);
          const other = path.join(copy, '..', 'other.pub');
          const { publicKey: key } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
          writeFileSync(other, key.export({ type: 'spki', format: 'pem' }));
          const run = await rampart(verifyArgs(copy, vector, ['--key', other]));
          assert.equal(run.code, 1);
          assert.match(
            run.stderr,
            /RAMPART_MODEL_KEY_MISMATCH: the model was signed by key e8450dec/,
          );
        });
      }

      if (vector.model === '') {
        for (const [what, content] of [
          ['a new file', 'hello'],
          ['a new empty file', ''],
        ] as const) {
          it(`fails with exit 1 naming ${what}`, async () => {
            const copy = copyOf(vector.folder);
            writeFileSync(path.join(copy, 'added.bin'), content);
            const run = await rampart(verifyArgs(copy, vector));
            assert.equal(run.code, 1);
            assert.match(run.stdout, /added: +added\.bin/);
          });
        }
      }
    });
  }

  it('refuses a certificate bundle whose chain does not reach the given root (exit 1)', async () => {
    const copy = copyOf('v1.1.0-certificate');
    // An unrelated certificate as the only root: the Fulcio leaf of a keyless vector.
    const keyless = JSON.parse(
      readFileSync(path.join(vectors, 'v1.1.0-sigstore', 'model.sig'), 'utf8'),
    ) as {
      verificationMaterial: { certificate: { rawBytes: string } };
    };
    const unrelated = path.join(copy, '..', 'unrelated.pem');
    writeFileSync(
      unrelated,
      new X509Certificate(
        Buffer.from(keyless.verificationMaterial.certificate.rawBytes, 'base64'),
      ).toString(),
    );
    const run = await rampart(
      verifyArgs(copy, VALID[5] as Vector, ['--certificate-chain', unrelated]),
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /RAMPART_MODEL_CERTIFICATE_INVALID: no trusted issuer/);
  });

  for (const folder of ['v1.0.0-sigstore', 'v1.0.1-sigstore', 'v1.1.0-sigstore']) {
    it(`${folder}: checks the digests offline and refuses (exit 1): no trust root`, async () => {
      const copy = copyOf(folder);
      const vector = { folder, model: '', trust: [] };
      const run = await rampart(verifyArgs(copy, vector));
      assert.equal(run.code, 1);
      assert.match(run.stderr, /RAMPART_MODEL_TRUST_ROOT_MISSING.*payload digests match/);
      appendFileSync(path.join(copy, 'signme-2'), 'x');
      const tampered = await rampart(verifyArgs(copy, vector));
      assert.equal(tampered.code, 1);
      assert.match(tampered.stdout, /changed: signme-2/);
    });
  }

  it('rejects the legacy v0.2 format with exit 2 and a clear message', async () => {
    const copy = copyOf('v0.2.0-certificate');
    const run = await rampart(
      verifyArgs(copy, { folder: '', model: '', trust: ['--certificate-chain', rootCa] }),
    );
    assert.equal(run.code, 2);
    assert.match(run.stderr, /RAMPART_MODEL_SIGNATURE_UNSUPPORTED: .*legacy model_signing v0\.2/);
  });
});
