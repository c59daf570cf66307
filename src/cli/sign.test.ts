import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { rampart, rampartAsAdmin } from '../../testkit/cli.js';
import { sharedRoot } from '../../testkit/paths.js';
import { tempDir } from '../../testkit/tmp.js';

const certKeys = path.join(sharedRoot, 'vectors', 'model-signing', 'keys', 'certificate');

/** A model folder, a P-256 key pair, and a state folder path (not created). */
function setup(curve = 'P-256'): {
  dir: string;
  model: string;
  key: string;
  pub: string;
  home: string;
} {
  const dir = tempDir('rampart-sign-');
  const model = path.join(dir, 'model');
  mkdirSync(path.join(model, 'sub'), { recursive: true });
  writeFileSync(path.join(model, 'config.json'), '{"a":1}');
  writeFileSync(path.join(model, 'sub', 'weights.bin'), Buffer.alloc(5000, 7));
  writeFileSync(path.join(model, 'empty'), '');
  const pair = generateKeyPairSync('ec', { namedCurve: curve });
  const key = path.join(dir, 'signing.key');
  const pub = path.join(dir, 'signing.pub');
  writeFileSync(key, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(pub, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  return { dir, model, key, pub, home: path.join(dir, 'home') };
}

async function json(
  args: string[],
): Promise<{ code: number; body: Record<string, unknown>; stderr: string }> {
  const run = await rampart([...args, '--json']);
  return {
    code: run.code,
    body: JSON.parse(run.stdout) as Record<string, unknown>,
    stderr: run.stderr,
  };
}

describe('rampart sign / verify', () => {
  for (const method of ['files', 'shards']) {
    it(`signs a folder with --method ${method} into model.sig and verifies it`, async () => {
      const s = setup();
      const args = ['--method', method, '--shard-size', '1024'];
      const signed = await rampart(['sign', s.model, '--key', s.key, ...args, '--home', s.home]);
      assert.equal(signed.code, 0, signed.stderr);
      assert.match(signed.stdout, /audit entry skipped: no state folder/);
      const bundle = JSON.parse(readFileSync(path.join(s.model, 'model.sig'), 'utf8')) as {
        mediaType: string;
        dsseEnvelope: { payload: string };
      };
      assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
      const statement = JSON.parse(
        Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString(),
      ) as {
        predicate: { serialization: Record<string, unknown>; rampart: { files: unknown[] } };
      };
      assert.equal(statement.predicate.serialization.method, method);
      assert.ok((statement.predicate.serialization.ignore_paths as string[]).includes('model.sig'));
      assert.equal(statement.predicate.rampart.files.length, 3);
      const verified = await rampart(['verify', s.model, '--key', s.pub, '--home', s.home]);
      assert.equal(verified.code, 0, verified.stderr);
    });
  }

  it('names an added empty file even in shards mode (which OMS resources cannot cover)', async () => {
    const s = setup();
    await rampart(['sign', s.model, '--key', s.key, '--method', 'shards', '--home', s.home]);
    writeFileSync(path.join(s.model, 'sub', 'new-empty'), '');
    const run = await json(['verify', s.model, '--key', s.pub, '--home', s.home]);
    assert.equal(run.code, 1);
    assert.deepEqual(run.body.added, ['sub/new-empty']);
  });

  it('names a missing and a resized file from the recorded sizes', async () => {
    const s = setup();
    await rampart(['sign', s.model, '--key', s.key, '--home', s.home]);
    writeFileSync(path.join(s.model, 'config.json'), '{"a":12}');
    writeFileSync(path.join(s.model, 'empty'), 'now full');
    const run = await json(['verify', s.model, '--key', s.pub, '--home', s.home]);
    assert.equal(run.code, 1);
    assert.deepEqual(run.body.changed, ['config.json', 'empty']);
  });

  it('signs a single file into <file>.sig beside it, with P-384', async () => {
    const s = setup('P-384');
    const file = path.join(s.model, 'config.json');
    assert.equal((await rampart(['sign', file, '--key', s.key, '--home', s.home])).code, 0);
    assert.ok(statSync(`${file}.sig`).isFile());
    assert.equal((await rampart(['verify', file, '--key', s.pub, '--home', s.home])).code, 0);
  });

  it('signs with the certificate method; the chain verifies against the root CA', async () => {
    const s = setup();
    const run = await rampart([
      'sign',
      s.model,
      '--key',
      path.join(certKeys, 'signing-key.pem'),
      '--signing-certificate',
      path.join(certKeys, 'signing-key-cert.pem'),
      '--certificate-chain',
      path.join(certKeys, 'int-ca-cert.pem'),
      '--home',
      s.home,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const ca = path.join(certKeys, 'ca-cert.pem');
    const verified = await rampart([
      'verify',
      s.model,
      '--certificate-chain',
      ca,
      '--home',
      s.home,
    ]);
    assert.equal(verified.code, 0, verified.stderr);
  });

  it('writes model.sign and model.verify audit entries when a state folder exists', async () => {
    const s = setup();
    assert.equal((await rampart(['init', '--home', s.home])).code, 0);
    const signed = await json(['sign', s.model, '--key', s.key, '--home', s.home]);
    assert.equal(typeof signed.body.auditIndex, 'number');
    const verified = await json(['verify', s.model, '--key', s.pub, '--home', s.home]);
    assert.equal(verified.code, 0);
    const tail = await rampartAsAdmin(['audit', 'tail', '--home', s.home, '--json'], s.home);
    const entries = (JSON.parse(tail.stdout) as { entries: unknown[] }).entries as {
      event: { action: string; resource: { digest: string } };
    }[];
    // The tail's own audit.read decision comes last.
    assert.deepEqual(
      entries.slice(-3).map((e) => e.event.action),
      ['model.sign', 'model.verify', 'audit.read'],
    );
    assert.equal(entries.at(-2)?.event.resource.digest, signed.body.digest);
  });

  it('re-verifies an unchanged folder from the cache; --no-cache and a corrupt cache rehash', async () => {
    const s = setup();
    await rampart(['init', '--home', s.home]);
    await rampart(['sign', s.model, '--key', s.key, '--home', s.home]);
    const first = await json(['verify', s.model, '--key', s.pub, '--home', s.home]);
    assert.equal(first.body.cacheHits, 0);
    const second = await json(['verify', s.model, '--key', s.pub, '--home', s.home]);
    assert.equal(second.body.cacheHits, 3);
    const cacheDir = path.join(s.home, 'cache', 'verify');
    const [cacheFile = ''] = readdirSync(cacheDir);
    assert.equal(statSync(path.join(cacheDir, cacheFile)).mode & 0o777, 0o600);
    const forced = await json(['verify', s.model, '--key', s.pub, '--home', s.home, '--no-cache']);
    assert.equal(forced.body.cacheHits, 0);
    writeFileSync(path.join(cacheDir, cacheFile), '{"version":1,"root":');
    const corrupt = await json(['verify', s.model, '--key', s.pub, '--home', s.home]);
    assert.equal(corrupt.code, 0);
    assert.equal(corrupt.body.cacheHits, 0);
    writeFileSync(path.join(s.model, 'sub', 'weights.bin'), Buffer.alloc(5000, 8));
    const changed = await json(['verify', s.model, '--key', s.pub, '--home', s.home]);
    assert.equal(changed.code, 1);
    assert.deepEqual(changed.body.changed, ['sub/weights.bin']);
  });

  it('refuses symbolic links (exit 2) unless --allow-symlinks', async () => {
    const s = setup();
    const outside = path.join(s.dir, 'outside.bin');
    writeFileSync(outside, 'secret');
    symlinkSync(outside, path.join(s.model, 'link.bin'));
    const refused = await rampart(['sign', s.model, '--key', s.key, '--home', s.home]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /RAMPART_FILE_TYPE_UNSUPPORTED: .*link\.bin: is a symbolic link/);
    const allowed = ['--allow-symlinks', '--home', s.home];
    assert.equal((await rampart(['sign', s.model, '--key', s.key, ...allowed])).code, 0);
    assert.equal((await rampart(['verify', s.model, '--key', s.pub, ...allowed])).code, 0);
    assert.equal((await rampart(['verify', s.model, '--key', s.pub, '--home', s.home])).code, 2);
  });

  it('detects files added under ignored paths with --check-ignored', async () => {
    const s = setup();
    mkdirSync(path.join(s.model, '.git'));
    writeFileSync(path.join(s.model, '.git', 'HEAD'), 'ref');
    await rampart(['sign', s.model, '--key', s.key, '--home', s.home]);
    writeFileSync(path.join(s.model, '.git', 'hooks-payload'), 'evil');
    assert.equal((await rampart(['verify', s.model, '--key', s.pub, '--home', s.home])).code, 0);
    const strict = await json([
      'verify',
      s.model,
      '--key',
      s.pub,
      '--home',
      s.home,
      '--check-ignored',
    ]);
    assert.equal(strict.code, 1);
    assert.deepEqual(strict.body.addedIgnored, ['.git/hooks-payload']);
  });

  describe('bad input exits 2', () => {
    const cases: [string, (sig: string) => string][] = [
      ['truncated bundle', (sig) => sig.slice(0, sig.length / 2)],
      ['not JSON', () => 'garbage'],
      [
        'unknown predicate',
        (sig) => swapPayload(sig, (p) => p.replace('signature/v1.0', 'signature/v9')),
      ],
      ['unknown media type', (sig) => sig.replace('bundle.v0.3+json', 'bundle.v9+json')],
      [
        'inconsistent root digest',
        (sig) =>
          swapPayload(sig, (p) => p.replace(/"sha256": "[0-9a-f]{8}/, '"sha256": "00000000')),
      ],
    ];
    for (const [name, mutate] of cases) {
      it(name, async () => {
        const s = setup();
        await rampart(['sign', s.model, '--key', s.key, '--home', s.home]);
        const sigPath = path.join(s.model, 'model.sig');
        writeFileSync(sigPath, mutate(readFileSync(sigPath, 'utf8')));
        const run = await rampart(['verify', s.model, '--key', s.pub, '--home', s.home]);
        assert.equal(run.code, 2, run.stderr);
        assert.match(
          run.stderr,
          /RAMPART_(MODEL_SIGNATURE_MALFORMED|MODEL_SIGNATURE_UNSUPPORTED|DSSE_MALFORMED)/,
        );
      });
    }

    it('an Ed25519 key', async () => {
      const s = setup();
      const pair = generateKeyPairSync('ed25519');
      const edKey = path.join(s.dir, 'ed.key');
      writeFileSync(edKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const run = await rampart(['sign', s.model, '--key', edKey, '--home', s.home]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /RAMPART_KEY_UNSUPPORTED/);
    });
  });

  it('a payload edited after signing fails the signature check (exit 1)', async () => {
    const s = setup();
    await rampart(['sign', s.model, '--key', s.key, '--home', s.home]);
    const sigPath = path.join(s.model, 'model.sig');
    writeFileSync(
      sigPath,
      swapPayload(readFileSync(sigPath, 'utf8'), (p) => p.replace('"model"', '"renamed"')),
    );
    const run = await rampart(['verify', s.model, '--key', s.pub, '--home', s.home]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /RAMPART_SIGNATURE_INVALID/);
  });
});

/** Rewrites the DSSE payload of a bundle (the signature no longer matches it). */
function swapPayload(text: string, edit: (payload: string) => string): string {
  const bundle = JSON.parse(text) as { dsseEnvelope: { payload: string } };
  const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8');
  bundle.dsseEnvelope.payload = Buffer.from(edit(payload)).toString('base64');
  return JSON.stringify(bundle);
}
