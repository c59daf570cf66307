import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { isRampartError, type ErrorCode } from '../core/index.js';
import { tempDir } from '../../testkit/tmp.js';
import { BlobStore, nodeBlobFs, type BlobFs } from './index.js';

const content = randomBytes(3 * 1024 * 1024 + 17);
const digestOf = (bytes: Uint8Array) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const code = (expected: ErrorCode) => (e: unknown) => isRampartError(e, expected);

function blobPath(dir: string, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return path.join(dir, 'sha256', hex.slice(0, 2), hex.slice(2));
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

// A real file system whose file writes fail with `errno` after `okWrites` successful writes.
function failingWrites(errno: string, okWrites: number): BlobFs {
  return {
    ...nodeBlobFs,
    open: async (file, flags, mode) => {
      const handle = await nodeBlobFs.open(file, flags, mode);
      let writes = 0;
      return {
        read: (...args) => handle.read(...args),
        stat: () => handle.stat(),
        sync: () => handle.sync(),
        close: () => handle.close(),
        write: async (...args) => {
          writes += 1;
          if (writes > okWrites)
            throw Object.assign(new Error(`${errno}: injected`), { code: errno });
          return handle.write(...args);
        },
      };
    },
  };
}

async function* chunked(bytes: Uint8Array, size: number, failAfter = Infinity) {
  for (let offset = 0; offset < bytes.length; offset += size) {
    await new Promise((resolve) => setImmediate(resolve));
    if (offset >= failAfter) throw new Error('source broke midway');
    yield bytes.subarray(offset, offset + size);
  }
}

describe('BlobStore', () => {
  it('stores content under sha256/ab/cdef… and reads it back verified', async () => {
    const dir = tempDir();
    const blobs = new BlobStore(dir);
    const stored = await blobs.put(content);
    assert.deepEqual(stored, { digest: digestOf(content), size: content.length });
    assert.deepEqual(readFileSync(blobPath(dir, stored.digest)), content);
    assert.deepEqual(await blobs.get(stored.digest), content);
    assert.equal(await blobs.has(stored.digest), true);
    assert.deepEqual(await blobs.verify(stored.digest), stored);
    assert.deepEqual(filesUnder(path.join(dir, 'tmp')), []);
  });

  it('accepts async iterables, streams and files, and stores empty content', async () => {
    const dir = tempDir();
    const blobs = new BlobStore(dir);
    const expected = { digest: digestOf(content), size: content.length };
    assert.deepEqual(await blobs.put(chunked(content, 4096)), expected);
    assert.deepEqual(await blobs.put(Readable.from(chunked(content, 65536))), expected);
    const file = path.join(tempDir(), 'input.bin');
    writeFileSync(file, content);
    assert.deepEqual(await blobs.putFile(file), expected);
    const empty = await blobs.put(new Uint8Array(0));
    assert.deepEqual(await blobs.get(empty.digest), Buffer.alloc(0));
  });

  it('stores identical content from concurrent puts once, and all of them succeed', async () => {
    const dir = tempDir();
    const blobs = new BlobStore(dir);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => blobs.put(chunked(content, 4096 * (i + 1)))),
    );
    for (const result of results) assert.equal(result.digest, digestOf(content));
    assert.deepEqual(filesUnder(dir), [path.basename(blobPath(dir, digestOf(content)))]);
    assert.deepEqual(await blobs.get(digestOf(content)), content);
  });

  it('detects a stored blob altered on disk', async () => {
    const dir = tempDir();
    const blobs = new BlobStore(dir);
    const { digest } = await blobs.put(content);
    const file = blobPath(dir, digest);
    const bytes = readFileSync(file);
    bytes[1_000_000] = (bytes[1_000_000] ?? 0) ^ 0x01;
    writeFileSync(file, bytes);
    const corrupt = (e: unknown) =>
      isRampartError(e, 'RAMPART_BLOB_CORRUPT') && e.details.digest === digest;
    await assert.rejects(blobs.get(digest), corrupt);
    await assert.rejects(blobs.verify(digest), corrupt);
  });

  it('reports a missing blob as RAMPART_BLOB_NOT_FOUND', async () => {
    const blobs = new BlobStore(tempDir());
    const digest = digestOf(Buffer.from('never stored'));
    assert.equal(await blobs.has(digest), false);
    await assert.rejects(blobs.get(digest), code('RAMPART_BLOB_NOT_FOUND'));
    await assert.rejects(blobs.verify(digest), code('RAMPART_BLOB_NOT_FOUND'));
    await assert.rejects(
      blobs.exportTo(digest, path.join(tempDir(), 'out')),
      code('RAMPART_BLOB_NOT_FOUND'),
    );
  });

  it('refuses malformed digests', async () => {
    const blobs = new BlobStore(tempDir());
    const hex = 'a'.repeat(64);
    for (const bad of [
      hex,
      `sha256:${hex.toUpperCase()}`,
      `sha256:${hex}0`,
      `sha512:${hex}`,
      `sha256:../${hex.slice(3)}`,
    ]) {
      await assert.rejects(blobs.get(bad), code('RAMPART_DIGEST_INVALID'));
      await assert.rejects(blobs.has(bad), code('RAMPART_DIGEST_INVALID'));
      await assert.rejects(blobs.verify(bad), code('RAMPART_DIGEST_INVALID'));
      await assert.rejects(
        blobs.exportTo(bad, path.join(tempDir(), 'x')),
        code('RAMPART_DIGEST_INVALID'),
      );
    }
  });

  it('keeps nothing when the source fails midway', async () => {
    const dir = tempDir();
    const blobs = new BlobStore(dir);
    await assert.rejects(
      blobs.put(chunked(content, 65536, 1_000_000)),
      code('RAMPART_BLOB_WRITE_FAILED'),
    );
    const stream = Readable.from(chunked(content, 65536, 500_000));
    await assert.rejects(blobs.put(stream), code('RAMPART_BLOB_WRITE_FAILED'));
    assert.deepEqual(filesUnder(dir), []);
  });

  it('keeps nothing when the disk fills up or is read-only', async () => {
    for (const errno of ['ENOSPC', 'EROFS']) {
      const dir = tempDir();
      const blobs = new BlobStore(dir, { fs: failingWrites(errno, 2) });
      await assert.rejects(
        blobs.put(chunked(content, 65536)),
        (e) => isRampartError(e, 'RAMPART_BLOB_WRITE_FAILED') && e.cause instanceof Error,
      );
      assert.deepEqual(filesUnder(dir), []);
    }
  });

  it('enforces maxBytes on put and get', async () => {
    const dir = tempDir();
    const blobs = new BlobStore(dir);
    await assert.rejects(
      blobs.put(chunked(content, 65536), { maxBytes: 100_000 }),
      code('RAMPART_LIMIT_EXCEEDED'),
    );
    assert.deepEqual(filesUnder(dir), []);
    const { digest } = await blobs.put(content, { maxBytes: content.length });
    await assert.rejects(
      blobs.get(digest, { maxBytes: content.length - 1 }),
      code('RAMPART_LIMIT_EXCEEDED'),
    );
  });

  it('exports a verified blob, and never lets a corrupt one reach the destination', async () => {
    const dir = tempDir();
    const out = tempDir();
    const blobs = new BlobStore(dir);
    const { digest } = await blobs.put(content);
    const dest = path.join(out, 'model.bin');
    assert.deepEqual(await blobs.exportTo(digest, dest), { digest, size: content.length });
    assert.deepEqual(readFileSync(dest), content);

    writeFileSync(dest, 'previous content');
    const bytes = readFileSync(blobPath(dir, digest));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    writeFileSync(blobPath(dir, digest), bytes);
    await assert.rejects(blobs.exportTo(digest, dest), code('RAMPART_BLOB_CORRUPT'));
    assert.equal(readFileSync(dest, 'utf8'), 'previous content');
    assert.deepEqual(readdirSync(out), ['model.bin']);
  });

  it('reports putFile on a missing path or a folder with file codes', async () => {
    const blobs = new BlobStore(tempDir());
    await assert.rejects(
      blobs.putFile(path.join(tempDir(), 'nope')),
      code('RAMPART_FILE_NOT_FOUND'),
    );
    await assert.rejects(blobs.putFile(tempDir()), code('RAMPART_FILE_TYPE_UNSUPPORTED'));
  });
});
