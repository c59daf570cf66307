import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../testkit/tmp.js';
import { isRampartError, writeFileAtomic } from './index.js';

describe('writeFileAtomic', () => {
  it('writes the whole file with the given mode and leaves no temporary file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'secret');
    await writeFileAtomic(file, 'data', { mode: 0o600, exclusive: true });
    assert.equal(readFileSync(file, 'utf8'), 'data');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['secret']);
  });

  it('refuses to replace an existing file when exclusive, and keeps it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'key');
    writeFileSync(file, 'original');
    await assert.rejects(writeFileAtomic(file, 'new', { mode: 0o600, exclusive: true }), (e) =>
      isRampartError(e, 'RAMPART_STORE_CONFLICT'),
    );
    assert.equal(readFileSync(file, 'utf8'), 'original');
    assert.deepEqual(readdirSync(dir), ['key']);
    await writeFileAtomic(file, 'new', { mode: 0o600, exclusive: false });
    assert.equal(readFileSync(file, 'utf8'), 'new');
  });

  it('names a missing folder and an unwritable path with their codes', async () => {
    const dir = tempDir();
    await assert.rejects(
      writeFileAtomic(path.join(dir, 'missing', 'f'), 'x', { mode: 0o600, exclusive: false }),
      (e) => isRampartError(e, 'RAMPART_FILE_NOT_FOUND'),
    );
    writeFileSync(path.join(dir, 'plain'), 'x');
    await assert.rejects(
      writeFileAtomic(path.join(dir, 'plain', 'f'), 'x', { mode: 0o600, exclusive: false }),
      (e) => isRampartError(e, 'RAMPART_FILE_WRITE_FAILED'),
    );
  });
});
