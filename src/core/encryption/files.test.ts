import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../../testkit/tmp.js';
import { isRampartError } from '../errors.js';
import { decryptFile, encryptFile } from './files.js';
import { HEADER_SIZE } from './format.js';
import { generateKek } from './kek.js';

function bytesOf(length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let block = 0; block * 32 < length; block += 1) {
    createHash('sha256')
      .update(`file/${block}`)
      .digest()
      .copy(out, block * 32);
  }
  return out;
}

describe('encryptFile and decryptFile', () => {
  const kek = generateKek();
  const dir = tempDir('rampart-crypt-files-');
  const at = (name: string): string => path.join(dir, name);

  it('round-trips files of several sizes and writes both outputs with mode 0600', async () => {
    for (const [size, chunkSize] of [
      [0, 16],
      [1, 16],
      [1000, 64],
      [3 * 1024 * 1024 + 5, undefined],
    ] as const) {
      const plaintext = bytesOf(size);
      await writeFile(at('plain'), plaintext);
      const options = chunkSize === undefined ? {} : { chunkSize };
      await encryptFile(at('plain'), at('sealed'), { keys: kek, context: 'c', ...options });
      await decryptFile(at('sealed'), at('opened'), { keys: kek, context: 'c' });
      assert.deepEqual(await readFile(at('opened')), plaintext, `size ${size}`);
      assert.equal((await stat(at('sealed'))).mode & 0o777, 0o600);
      assert.equal((await stat(at('opened'))).mode & 0o777, 0o600);
    }
  });

  it('leaves no plaintext, partial or temporary file when decryption fails', async () => {
    const local = tempDir('rampart-crypt-fail-');
    const plaintext = bytesOf(10_000);
    await writeFile(path.join(local, 'plain'), plaintext);
    await encryptFile(path.join(local, 'plain'), path.join(local, 'sealed'), {
      keys: kek,
      chunkSize: 1024,
    });
    const sealed = await readFile(path.join(local, 'sealed'));
    // Tamper with the last chunk so that every earlier chunk decrypts before the failure.
    sealed[sealed.length - 1] = sealed[sealed.length - 1]! ^ 1;
    await writeFile(path.join(local, 'tampered'), sealed);
    const target = path.join(local, 'out');
    await assert.rejects(decryptFile(path.join(local, 'tampered'), target, { keys: kek }), (e) =>
      isRampartError(e, 'RAMPART_DECRYPT_FAILED'),
    );
    assert.deepEqual((await readdir(local)).sort(), ['plain', 'sealed', 'tampered']);
  });

  it('refuses a bad chunk size without leaving any file', async () => {
    const local = tempDir('rampart-crypt-limit-');
    await writeFile(path.join(local, 'plain'), 'p');
    await assert.rejects(
      encryptFile(path.join(local, 'plain'), path.join(local, 'out'), { keys: kek, chunkSize: 1 }),
      (e) => isRampartError(e, 'RAMPART_LIMIT_EXCEEDED'),
    );
    assert.deepEqual(await readdir(local), ['plain']);
  });

  it('keeps an existing destination unchanged when decryption fails', async () => {
    await writeFile(at('plain'), bytesOf(500));
    await encryptFile(at('plain'), at('sealed'), { keys: kek, context: 'right' });
    await writeFile(at('existing'), 'previous content');
    await assert.rejects(
      decryptFile(at('sealed'), at('existing'), { keys: kek, context: 'wrong' }),
      (e) => isRampartError(e, 'RAMPART_DECRYPT_FAILED'),
    );
    await assert.rejects(decryptFile(at('plain'), at('existing'), { keys: kek }), (e) =>
      isRampartError(e, 'RAMPART_CIPHERTEXT_MALFORMED'),
    );
    assert.equal(await readFile(at('existing'), 'utf8'), 'previous content');
  });

  it('refuses a source that is not a regular file as such, not as a write failure', async () => {
    const dir = tempDir();
    await assert.rejects(encryptFile(dir, path.join(dir, 'out'), { keys: generateKek() }), (e) =>
      isRampartError(e, 'RAMPART_FILE_TYPE_UNSUPPORTED'),
    );
    assert.ok(!existsSync(path.join(dir, 'out')));
  });

  it('reports a missing source or destination folder as RAMPART_FILE_NOT_FOUND', async () => {
    const notFound = (e: unknown): boolean => isRampartError(e, 'RAMPART_FILE_NOT_FOUND');
    await assert.rejects(encryptFile(at('absent'), at('x'), { keys: kek }), notFound);
    await writeFile(at('plain'), 'p');
    await assert.rejects(encryptFile(at('plain'), at('no-such-folder/x'), { keys: kek }), notFound);
  });

  it('writes the header first, so a ciphertext file starts with the magic', async () => {
    await writeFile(at('plain'), 'hello');
    await encryptFile(at('plain'), at('sealed'), { keys: kek });
    const sealed = await readFile(at('sealed'));
    assert.equal(sealed.subarray(0, 4).toString('latin1'), 'RMPE');
    assert.equal(sealed.length, HEADER_SIZE + 5 + 16);
  });
});
