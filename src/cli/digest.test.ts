import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { rampart } from '../../testkit/cli.js';
import { sharedRoot } from '../../testkit/paths.js';
import { tempDir } from '../../testkit/tmp.js';

const GOLDEN = path.join(sharedRoot, 'vectors', 'model-signing', 'v1.0.1-elliptic-key');

interface DigestReport {
  path: string;
  digest: string;
  size?: number;
  method?: string;
  algorithm?: string;
  resources?: { name: string; digest: string; size: number }[];
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function write(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
}

/** Runs `rampart digest <args> --json` with a private state folder and parses stdout. */
async function digestJson(args: readonly string[]): Promise<{ code: number; body: unknown }> {
  const run = await rampart(['digest', ...args, '--json', '--home', tempDir()]);
  return { code: run.code, body: JSON.parse(run.stdout) as unknown };
}

async function report(args: readonly string[]): Promise<DigestReport> {
  const { code, body } = await digestJson(args);
  assert.equal(code, 0, JSON.stringify(body));
  return body as DigestReport;
}

async function errorCode(args: readonly string[]): Promise<{ exit: number; code: string }> {
  const { code, body } = await digestJson(args);
  return { exit: code, code: (body as { error: { code: string } }).error.code };
}

describe('rampart digest', () => {
  it('names a file by sha256: and the hex SHA-256 of its bytes', async () => {
    const file = path.join(tempDir(), 'weights.bin');
    const bytes = Buffer.from('some model weights\n\u0000\u00ff', 'latin1');
    writeFileSync(file, bytes);
    const body = await report([file]);
    assert.equal(body.digest, `sha256:${sha256Hex(bytes)}`);
    assert.equal(body.size, bytes.length);
    const text = await rampart(['digest', file, '--home', tempDir()]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout, `sha256:${sha256Hex(bytes)}  ${file}\n`);
  });

  it('reproduces the subject digest of the golden model_signing v1.0.1 signature', async () => {
    const bundle = JSON.parse(readFileSync(path.join(GOLDEN, 'model.sig'), 'utf8')) as {
      dsseEnvelope: { payload: string };
    };
    const statement = JSON.parse(
      Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'),
    ) as { subject: { digest: { sha256: string } }[] };
    const body = await report([GOLDEN, '--ignore', 'ignore-me', '--ignore', 'model.sig']);
    assert.equal(body.digest, `sha256:${statement.subject[0]!.digest.sha256}`);
  });

  it('lists the resources in OMS order (by path component) with --json --manifest', async () => {
    const root = tempDir();
    write(root, { 'a.b': '1', 'a-b': '2', 'a/b': '3', 'a/c/d': '4', B: '5' });
    const body = await report([root, '--manifest']);
    assert.deepEqual(
      body.resources?.map((r) => r.name),
      ['B', 'a/b', 'a/c/d', 'a-b', 'a.b'],
    );
    for (const resource of body.resources ?? []) {
      const bytes = readFileSync(path.join(root, resource.name));
      assert.equal(resource.digest, `sha256:${sha256Hex(bytes)}`);
    }
    const plain = await report([root]);
    assert.equal(plain.resources, undefined, 'resources are listed only with --manifest');
    assert.equal(plain.digest, body.digest);
  });

  it('hashes a folder in shards with --shards --shard-size 3, giving another digest', async () => {
    const root = tempDir();
    write(root, { 'model.bin': 'abcdefg', 'tiny.txt': 'xy' });
    const files = await report([root]);
    const shards = await report([root, '--shards', '--shard-size', '3', '--manifest']);
    assert.equal(shards.method, 'shards');
    assert.deepEqual(
      shards.resources?.map((r) => r.name),
      ['model.bin:0:3', 'model.bin:3:6', 'model.bin:6:7', 'tiny.txt:0:2'],
    );
    const expected = createHash('sha256');
    for (const piece of ['abc', 'def', 'g', 'xy']) {
      expected.update(createHash('sha256').update(piece).digest());
    }
    assert.equal(shards.digest, `sha256:${expected.digest('hex')}`);
    assert.notEqual(shards.digest, files.digest);
  });

  it('exits 2 with RAMPART_FILE_TYPE_UNSUPPORTED for a symbolic link inside a folder', async () => {
    const root = tempDir();
    write(root, { 'real.txt': 'content' });
    symlinkSync('real.txt', path.join(root, 'link.txt'));
    assert.deepEqual(await errorCode([root]), { exit: 2, code: 'RAMPART_FILE_TYPE_UNSUPPORTED' });
  });

  it('exits 2 with RAMPART_FILE_NOT_FOUND for a missing path', async () => {
    const missing = path.join(tempDir(), 'no-such-model');
    assert.deepEqual(await errorCode([missing]), { exit: 2, code: 'RAMPART_FILE_NOT_FOUND' });
  });

  it('exits 2 with RAMPART_USAGE for a shard size that is zero or not a number', async () => {
    const root = tempDir();
    write(root, { 'model.bin': 'abc' });
    for (const size of ['0', 'abc']) {
      assert.deepEqual(await errorCode([root, '--shards', '--shard-size', size]), {
        exit: 2,
        code: 'RAMPART_USAGE',
      });
    }
  });
});
