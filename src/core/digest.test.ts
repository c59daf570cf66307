import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  digestFromBytes,
  digestHex,
  digestToBytes,
  digestsEqual,
  isDigest,
  parseDigest,
  sha256,
} from './digest.js';
import { isRampartError } from './errors.js';

const EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('digest', () => {
  it('hashes bytes and UTF-8 strings to sha256:<hex>', () => {
    assert.equal(sha256(new Uint8Array()), EMPTY);
    assert.equal(sha256(''), EMPTY);
    assert.equal(sha256('ä'), sha256(Buffer.from([0xc3, 0xa4])));
    assert.equal(sha256('abc'), `sha256:${createHash('sha256').update('abc').digest('hex')}`);
  });

  it('accepts only sha256: followed by 64 lowercase hex digits', () => {
    assert.equal(parseDigest(EMPTY), EMPTY);
    for (const bad of [
      '',
      EMPTY.toUpperCase(),
      EMPTY.replace('sha256:', 'sha512:'),
      EMPTY.slice(0, -1),
      `${EMPTY}0`,
      ` ${EMPTY}`,
      `${EMPTY}\n`,
      EMPTY.replace('e3', 'g3'),
      EMPTY.slice('sha256:'.length),
    ]) {
      assert.throws(
        () => parseDigest(bad),
        (e) => isRampartError(e, 'RAMPART_DIGEST_INVALID'),
        bad,
      );
      assert.equal(isDigest(bad), false);
    }
    assert.equal(isDigest(42), false);
  });

  it('converts between text and raw bytes both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (raw) => {
        const digest = digestFromBytes(raw);
        assert.equal(isDigest(digest), true);
        assert.deepEqual(new Uint8Array(digestToBytes(digest)), raw);
        assert.equal(digestHex(digest), Buffer.from(raw).toString('hex'));
      }),
    );
  });

  it('converts a subarray view without reading bytes outside it', () => {
    const backing = new Uint8Array(40).fill(7);
    backing.fill(1, 4, 36);
    assert.equal(digestFromBytes(backing.subarray(4, 36)), `sha256:${'01'.repeat(32)}`);
  });

  it('refuses raw digests that are not 32 bytes', () => {
    for (const length of [0, 31, 33, 64]) {
      assert.throws(
        () => digestFromBytes(new Uint8Array(length)),
        (e) => isRampartError(e, 'RAMPART_DIGEST_INVALID'),
      );
    }
  });

  it('compares digests by value', () => {
    const a = sha256('a');
    assert.equal(digestsEqual(a, sha256('a')), true);
    assert.equal(digestsEqual(a, sha256('b')), false);
    assert.throws(
      () => digestsEqual(a, 'sha256:zz'),
      (e) => isRampartError(e, 'RAMPART_DIGEST_INVALID'),
    );
  });
});
