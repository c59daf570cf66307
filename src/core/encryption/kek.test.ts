import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { tempDir } from '../../../testkit/tmp.js';
import { isRampartError, type ErrorCode } from '../errors.js';
import { decryptBytes, encryptBytes } from './bytes.js';
import { formatKekFile, loadKek, loadKeyring, parseKekFile, saveKek } from './kek-file.js';
import { generateKek, Kek } from './kek.js';

const SECRET = Buffer.alloc(32, 0x5a);
const SECRET_BASE64 = SECRET.toString('base64');

function hasCode(code: ErrorCode): (error: unknown) => boolean {
  return (error) => isRampartError(error, code) && !JSON.stringify(error).includes(SECRET_BASE64);
}

describe('key-encryption keys', () => {
  const dir = tempDir('rampart-kek-');

  it('generates 32-byte keys from the injected random source', () => {
    const kek = generateKek(() => Buffer.from(SECRET));
    assert.deepEqual(kek.exportBytes(), SECRET);
    assert.equal(kek.id, Kek.fromBytes(SECRET).id);
    assert.notEqual(generateKek().id, generateKek().id);
  });

  it('refuses key material that is not 32 bytes', () => {
    for (const size of [0, 16, 31, 33]) {
      assert.throws(() => Kek.fromBytes(Buffer.alloc(size)), hasCode('RAMPART_KEY_INVALID'));
    }
  });

  it('never shows the key bytes in JSON or inspection', () => {
    const kek = Kek.fromBytes(SECRET);
    assert.deepEqual(JSON.parse(JSON.stringify(kek)), { id: kek.id });
    assert.ok(!inspect(kek, { showHidden: true }).includes(SECRET.toString('hex')));
    assert.ok(!inspect(kek).includes(SECRET_BASE64));
  });

  it('saves a key as one line of JSON with mode 0600 and loads it back', async () => {
    const file = path.join(dir, 'kek.json');
    const kek = Kek.fromBytes(SECRET);
    await saveKek(file, kek);
    const text = await readFile(file, 'utf8');
    assert.equal(text, formatKekFile(kek));
    assert.deepEqual(JSON.parse(text), {
      type: 'rampart-kek',
      version: 1,
      id: kek.id,
      key: SECRET_BASE64,
    });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const loaded = await loadKek(file);
    assert.equal(loaded.id, kek.id);
    assert.deepEqual(decryptBytes(loaded, encryptBytes(kek, Buffer.from('x'))), Buffer.from('x'));
  });

  it('refuses to overwrite an existing key file', async () => {
    const file = path.join(dir, 'kept.json');
    const first = generateKek();
    await saveKek(file, first);
    await assert.rejects(saveKek(file, generateKek()), hasCode('RAMPART_STORE_CONFLICT'));
    assert.equal((await loadKek(file)).id, first.id);
  });

  it('reports a missing key file as RAMPART_KEY_NOT_FOUND', async () => {
    await assert.rejects(loadKek(path.join(dir, 'absent.json')), hasCode('RAMPART_KEY_NOT_FOUND'));
    await assert.rejects(loadKeyring([]), hasCode('RAMPART_KEY_NOT_FOUND'));
  });

  it('reports garbage, wrong lengths, wrong fields and a wrong id as RAMPART_KEY_INVALID', async () => {
    const good = JSON.parse(formatKekFile(Kek.fromBytes(SECRET))) as Record<string, unknown>;
    const bad = [
      '',
      `not json ${SECRET_BASE64}`,
      '[1,2]',
      JSON.stringify({ ...good, key: Buffer.alloc(31).toString('base64') }),
      JSON.stringify({ ...good, key: Buffer.alloc(33).toString('base64') }),
      JSON.stringify({ ...good, key: `${SECRET_BASE64.slice(0, -2)}!=` }),
      JSON.stringify({ ...good, version: 2 }),
      JSON.stringify({ ...good, type: 'something-else' }),
      JSON.stringify({ ...good, extra: true }),
      JSON.stringify({ ...good, id: '0000000000000000' }),
    ];
    for (const [i, text] of bad.entries()) {
      const file = path.join(dir, `bad-${i}.json`);
      await writeFile(file, text);
      await assert.rejects(loadKek(file), hasCode('RAMPART_KEY_INVALID'), text);
      assert.throws(() => parseKekFile(text, 'inline'), hasCode('RAMPART_KEY_INVALID'));
    }
  });

  it('refuses a folder or an oversized file as a key file', async () => {
    const folder = path.join(dir, 'folder.json');
    await mkdir(folder);
    await assert.rejects(loadKek(folder), hasCode('RAMPART_KEY_INVALID'));
    const big = path.join(dir, 'big.json');
    await writeFile(big, ' '.repeat(4096));
    await assert.rejects(loadKek(big), hasCode('RAMPART_KEY_INVALID'));
  });

  it('loads a keyring whose first file is the primary key', async () => {
    const [a, b] = [generateKek(), generateKek()];
    const [fileA, fileB] = [path.join(dir, 'ring-a.json'), path.join(dir, 'ring-b.json')];
    await saveKek(fileA, a);
    await saveKek(fileB, b);
    const ring = await loadKeyring([fileB, fileA]);
    assert.equal(ring.primary.id, b.id);
    assert.deepEqual(ring.ids, [b.id, a.id]);
    const old = encryptBytes(a, Buffer.from('rotated'));
    assert.deepEqual(decryptBytes(ring, old), Buffer.from('rotated'));
  });
});
