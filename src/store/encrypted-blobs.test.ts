import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateKek, isRampartError, saveKek, type ErrorCode } from '../core/index.js';
import { testDialects } from '../../testkit/dialects.js';
import { tempDir } from '../../testkit/tmp.js';
import { countBlobKeys, EncryptedBlobStore, LocalKekProvider, type Store } from './index.js';

const code = (expected: ErrorCode) => (e: unknown) => isRampartError(e, expected);
const digestOf = (bytes: Uint8Array) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
// Over 3 MiB: about 50 chunks of the default 64 KiB.
const big = randomBytes(3 * 1024 * 1024 + 17);

async function* chunked(bytes: Uint8Array, size: number) {
  for (let offset = 0; offset < bytes.length; offset += size) {
    await new Promise((resolve) => setImmediate(resolve));
    yield bytes.subarray(offset, offset + size);
  }
}

function blobFile(dir: string, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return path.join(dir, 'sha256', hex.slice(0, 2), hex.slice(2));
}

async function setup(store: Store) {
  const home = tempDir();
  const keys = path.join(home, 'keys');
  mkdirSync(keys);
  await saveKek(path.join(keys, 'kek.key'), generateKek());
  const dir = path.join(home, 'blobs', 'enc');
  const provider = new LocalKekProvider(keys);
  return { dir, keys, provider, blobs: new EncryptedBlobStore({ dir, store, provider }) };
}

for (const dialect of testDialects()) {
  describe(`EncryptedBlobStore on ${dialect.name}`, { skip: dialect.skip }, () => {
    it('round-trips small and multi-chunk blobs from bytes, streams and files', async () => {
      const { dir, blobs } = await setup(await dialect.open());
      const small = Buffer.from('hello, encrypted world');
      const a = await blobs.put(small);
      assert.deepEqual(a, { digest: digestOf(small), size: small.length });
      const b = await blobs.put(chunked(big, 100_000));
      assert.deepEqual(b, { digest: digestOf(big), size: big.length });
      const source = path.join(tempDir(), 'model.bin');
      const other = randomBytes(2 * 1024 * 1024 + 5);
      writeFileSync(source, other);
      const c = await blobs.putFile(source);
      assert.equal(c.digest, digestOf(other));

      assert.deepEqual(await blobs.get(a.digest), small);
      assert.deepEqual(await blobs.get(b.digest), big);
      assert.deepEqual(await blobs.verify(c.digest), c);
      const out = path.join(tempDir(), 'out.bin');
      assert.deepEqual(await blobs.exportTo(b.digest, out), b);
      assert.deepEqual(readFileSync(out), big);
      // The stored file is ciphertext: no 64-byte run of the plaintext appears in it.
      const stored = readFileSync(blobFile(dir, b.digest));
      assert.equal(stored.subarray(0, 4).toString('latin1'), 'RMPE');
      assert.equal(stored.indexOf(big.subarray(1000, 1064)), -1);
      assert.equal(await blobs.has(a.digest), true);
      assert.equal(await blobs.has(digestOf(Buffer.from('absent'))), false);
    });

    it('stores an existing digest once: a second put is a no-op', async () => {
      const store = await dialect.open();
      const { dir, blobs } = await setup(store);
      const { digest } = await blobs.put(big);
      const before = readFileSync(blobFile(dir, digest));
      await blobs.put(chunked(big, 65_536));
      assert.deepEqual(readFileSync(blobFile(dir, digest)), before);
      const rows = await store.query('SELECT digest FROM blob_keys');
      assert.equal(rows.length, 1);
      assert.deepEqual(readdirSync(path.join(dir, 'tmp')), []);
    });

    it('refuses a modified ciphertext byte on get, verify and exportTo', async () => {
      const { dir, blobs } = await setup(await dialect.open());
      const { digest } = await blobs.put(big);
      const file = blobFile(dir, digest);
      const bytes = readFileSync(file);
      bytes[bytes.length - 40_000] = (bytes[bytes.length - 40_000] ?? 0) ^ 1;
      writeFileSync(file, bytes);
      await assert.rejects(blobs.get(digest), code('RAMPART_DECRYPT_FAILED'));
      await assert.rejects(blobs.verify(digest), code('RAMPART_DECRYPT_FAILED'));
      const out = path.join(tempDir(), 'out.bin');
      await assert.rejects(blobs.exportTo(digest, out), code('RAMPART_DECRYPT_FAILED'));
      assert.equal(existsSync(out), false);
      assert.deepEqual(readdirSync(path.dirname(out)), []);
    });

    it('refuses two blob files swapped on disk (the key and context bind the digest)', async () => {
      const { dir, blobs } = await setup(await dialect.open());
      const one = await blobs.put(Buffer.from('first blob'));
      const two = await blobs.put(Buffer.from('second blob'));
      const [f1, f2] = [blobFile(dir, one.digest), blobFile(dir, two.digest)];
      const [b1, b2] = [readFileSync(f1), readFileSync(f2)];
      writeFileSync(f1, b2);
      writeFileSync(f2, b1);
      await assert.rejects(blobs.get(one.digest), code('RAMPART_DECRYPT_FAILED'));
      await assert.rejects(blobs.verify(two.digest), code('RAMPART_DECRYPT_FAILED'));
    });

    it('says clearly when the key row is gone, and a new put repairs the blob', async () => {
      const store = await dialect.open();
      const { blobs } = await setup(store);
      const content = Buffer.from('key row will vanish');
      const { digest } = await blobs.put(content);
      await store.run('DELETE FROM blob_keys WHERE digest = ?', [digest]);
      await assert.rejects(blobs.get(digest), (e: unknown) => {
        assert.ok(isRampartError(e, 'RAMPART_BLOB_KEY_MISSING'));
        assert.match(e.message, /no data-key record/);
        return true;
      });
      assert.equal(await blobs.has(digest), false);
      // The file without a row is garbage: the next put of the same bytes replaces it.
      await blobs.put(content);
      assert.deepEqual(await blobs.get(digest), content);
    });

    it('stays readable after a crash between the key row and the blob file', async () => {
      const store = await dialect.open();
      const { dir, blobs } = await setup(store);
      const content = randomBytes(200_000);
      const { digest } = await blobs.put(content);
      const [row] = await store.query('SELECT wrapped FROM blob_keys WHERE digest = ?', [digest]);
      // Crash after the row was inserted, before the file was renamed into place.
      rmSync(blobFile(dir, digest));
      writeFileSync(path.join(dir, 'tmp', 'leftover.part'), 'half a file');
      assert.equal(await blobs.has(digest), false);
      await assert.rejects(blobs.get(digest), code('RAMPART_BLOB_NOT_FOUND'));
      const other = await blobs.put(Buffer.from('unrelated'));
      assert.deepEqual(await blobs.get(other.digest), Buffer.from('unrelated'));
      // Putting the content again reuses the row's key: row and file agree.
      await blobs.put(content);
      const [after] = await store.query('SELECT wrapped FROM blob_keys WHERE digest = ?', [digest]);
      assert.equal(after?.wrapped, row?.wrapped);
      assert.deepEqual(await blobs.get(digest), content);
    });

    it('keeps size limits on put and get, and keeps nothing over the limit', async () => {
      const store = await dialect.open();
      const { blobs } = await setup(store);
      await assert.rejects(
        blobs.put(chunked(big, 100_000), { maxBytes: 1024 * 1024 }),
        code('RAMPART_LIMIT_EXCEEDED'),
      );
      await assert.rejects(blobs.put(big, { maxBytes: 10 }), code('RAMPART_LIMIT_EXCEEDED'));
      assert.equal((await store.query('SELECT digest FROM blob_keys')).length, 0);
      const { digest } = await blobs.put(big);
      await assert.rejects(blobs.get(digest, { maxBytes: 1000 }), code('RAMPART_LIMIT_EXCEEDED'));
    });

    it('rotates the local KEK: rows re-wrapped, files unchanged, retired key not needed', async () => {
      const store = await dialect.open();
      const { dir, keys, provider, blobs } = await setup(store);
      const contents = [randomBytes(1000), big, Buffer.from('three')];
      const digests = [];
      for (const content of contents) digests.push((await blobs.put(content)).digest);
      const files = digests.map((d) => readFileSync(blobFile(dir, d)));
      const oldId = await provider.primaryId();

      const { kekId } = await provider.rotate();
      assert.notEqual(kekId, oldId);
      assert.ok(existsSync(path.join(keys, `kek-${oldId}.key`)));
      assert.deepEqual(await blobs.get(digests[0] ?? ''), contents[0]);
      assert.deepEqual(await countBlobKeys(store), [{ provider: 'local', kekId: oldId, count: 3 }]);
      assert.deepEqual(await blobs.rewrapAll(), { rewrapped: 3, unchanged: 0 });
      assert.deepEqual(await countBlobKeys(store), [{ provider: 'local', kekId, count: 3 }]);
      assert.deepEqual(await blobs.rewrapAll(), { rewrapped: 0, unchanged: 3 });
      const rows = await store.query<{ kek_id: string; rewrapped_at: string | null }>(
        'SELECT kek_id, rewrapped_at FROM blob_keys',
      );
      assert.ok(rows.every((r) => r.kek_id === kekId && r.rewrapped_at !== null));
      assert.deepEqual(
        digests.map((d) => readFileSync(blobFile(dir, d))),
        files,
      );
      // Crypto-shredding the old key no longer matters: nothing is wrapped under it.
      rmSync(path.join(keys, `kek-${oldId}.key`));
      const fresh = new EncryptedBlobStore({ dir, store, provider: new LocalKekProvider(keys) });
      for (const [i, d] of digests.entries()) assert.deepEqual(await fresh.get(d), contents[i]);
    });

    it('cannot decrypt rows left under a shredded key', async () => {
      const store = await dialect.open();
      const { dir, keys, provider, blobs } = await setup(store);
      const { digest } = await blobs.put(Buffer.from('shred me'));
      const oldId = await provider.primaryId();
      await provider.rotate();
      rmSync(path.join(keys, `kek-${oldId}.key`));
      const fresh = new EncryptedBlobStore({ dir, store, provider: new LocalKekProvider(keys) });
      await assert.rejects(fresh.get(digest), code('RAMPART_DECRYPT_FAILED'));
    });
  });
}
