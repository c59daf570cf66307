import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateKek, isRampartError, saveKek, type ErrorCode } from '../core/index.js';
import { tempDir } from '../../testkit/tmp.js';
import { LocalKekProvider } from './index.js';

const code = (expected: ErrorCode) => (e: unknown) => isRampartError(e, expected);

async function keyFolder(): Promise<string> {
  const dir = tempDir();
  await saveKek(path.join(dir, 'kek.key'), generateKek());
  return dir;
}

describe('LocalKekProvider', () => {
  it('wraps under kek.key, bound to the context, and refuses anything else', async () => {
    const provider = new LocalKekProvider(await keyFolder());
    const dataKey = randomBytes(32);
    const { kekId, wrapped } = await provider.wrap(dataKey, 'blob|sha256:aa');
    assert.equal(kekId, await provider.primaryId());
    assert.equal(Buffer.from(wrapped, 'base64').length, 12 + 32 + 16);
    assert.deepEqual(await provider.unwrap(wrapped, kekId, 'blob|sha256:aa'), dataKey);
    await assert.rejects(
      provider.unwrap(wrapped, kekId, 'blob|sha256:bb'),
      code('RAMPART_DECRYPT_FAILED'),
    );
    await assert.rejects(
      provider.unwrap(wrapped, '0123456789abcdef', 'blob|sha256:aa'),
      code('RAMPART_DECRYPT_FAILED'),
    );
    await assert.rejects(
      provider.unwrap('AAAA', kekId, 'blob|sha256:aa'),
      code('RAMPART_DECRYPT_FAILED'),
    );
    await assert.rejects(provider.wrap(randomBytes(16), 'c'), code('RAMPART_KEY_INVALID'));
  });

  it('rotates: the old key is retired to kek-<id>.key (0600) and still unwraps', async () => {
    const dir = await keyFolder();
    const provider = new LocalKekProvider(dir);
    const dataKey = randomBytes(32);
    const old = await provider.wrap(dataKey, 'ctx');
    const { kekId } = await provider.rotate();
    assert.notEqual(kekId, old.kekId);
    assert.equal(await provider.primaryId(), kekId);
    assert.deepEqual(readdirSync(dir).sort(), ['kek.key', `kek-${old.kekId}.key`].sort());
    for (const name of readdirSync(dir))
      assert.equal(statSync(path.join(dir, name)).mode & 0o777, 0o600);
    // Another process (a fresh provider) finds the retired key by id.
    assert.deepEqual(
      await new LocalKekProvider(dir).unwrap(old.wrapped, old.kekId, 'ctx'),
      dataKey,
    );
    const next = await provider.rewrap(old.wrapped, old.kekId, 'ctx');
    assert.equal(next.kekId, kekId);
    assert.deepEqual(await provider.unwrap(next.wrapped, next.kekId, 'ctx'), dataKey);
  });

  it('finishes a rotation interrupted after the retired copy was written', async () => {
    const dir = await keyFolder();
    const provider = new LocalKekProvider(dir);
    const oldId = await provider.primaryId();
    copyFileSync(path.join(dir, 'kek.key'), path.join(dir, `kek-${oldId}.key`));
    const { kekId } = await provider.rotate();
    assert.notEqual(kekId, oldId);
    assert.equal(readdirSync(dir).length, 2);
  });
});
