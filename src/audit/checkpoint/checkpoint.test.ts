import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { generateKeyPair, isRampartError, localSigner } from '../../core/index.js';
import type { ErrorCode } from '../../core/index.js';
import { leafHash } from '../merkle/hash.js';
import { MemoryTree } from '../merkle/memory-tree.js';
import {
  MAX_CHECKPOINT_BYTES,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint.js';
import type { Checkpoint } from './checkpoint.js';
import { noteSigner } from './note.js';
import { parseVerifierKey, verifierKey } from './vkey.js';

const code = (expected: ErrorCode) => (e: unknown) => isRampartError(e, expected);
const ORIGIN = 'rampart.example/audit/test';
const ROOT = Buffer.from('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328', 'hex');
const BODY = `${ORIGIN}\n8\n${ROOT.toString('base64')}\n`;

describe('checkpoint body (C2SP tlog-checkpoint)', () => {
  it('formats and parses origin, size, root and extension lines', () => {
    const checkpoint: Checkpoint = { origin: ORIGIN, size: 8, root: ROOT, extensions: [] };
    assert.equal(formatCheckpoint(checkpoint), BODY);
    assert.deepEqual(parseCheckpoint(BODY), checkpoint);
    const extended = { ...checkpoint, extensions: ['ext one', 'ext two'] };
    assert.deepEqual(parseCheckpoint(formatCheckpoint(extended)), extended);
  });

  it('round-trips any valid checkpoint', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9./-]{1,40}$/),
        fc.maxSafeNat(),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (origin, size, root) => {
          const checkpoint = { origin, size, root: Buffer.from(root), extensions: [] };
          assert.deepEqual(parseCheckpoint(formatCheckpoint(checkpoint)), checkpoint);
        },
      ),
    );
  });

  it('rejects malformed bodies with a coded error', () => {
    const b64 = ROOT.toString('base64');
    const bad = {
      'empty origin': `\n8\n${b64}\n`,
      'leading zero': `${ORIGIN}\n08\n${b64}\n`,
      'signed size': `${ORIGIN}\n+8\n${b64}\n`,
      'negative size': `${ORIGIN}\n-1\n${b64}\n`,
      'size over 2^53': `${ORIGIN}\n9007199254740992\n${b64}\n`,
      'hex root': `${ORIGIN}\n8\n${ROOT.toString('hex')}\n`,
      'short root': `${ORIGIN}\n8\n${ROOT.subarray(1).toString('base64')}\n`,
      'no root': `${ORIGIN}\n8\n`,
      'no final newline': BODY.slice(0, -1),
      'empty extension line': `${BODY}\n`,
      'carriage return': BODY.replace(/\n/g, '\r\n'),
      'too many extensions': `${BODY}${'x\n'.repeat(17)}`,
    };
    for (const [what, text] of Object.entries(bad)) {
      assert.throws(() => parseCheckpoint(text), code('RAMPART_CHECKPOINT_MALFORMED'), what);
    }
    const long = `${ORIGIN}\n8\n${b64}\n${'x'.repeat(MAX_CHECKPOINT_BYTES)}\n`;
    assert.throws(() => parseCheckpoint(long), code('RAMPART_LIMIT_EXCEEDED'));
  });
});

describe('signed checkpoint', () => {
  const pair = generateKeyPair('ed25519');
  const signer = noteSigner(ORIGIN, localSigner(pair.privateKey), pair.publicKey);
  const verifier = parseVerifierKey(verifierKey(ORIGIN, pair.publicKey));

  it('signs the root of a tree and opens it for the same origin', async () => {
    const tree = new MemoryTree();
    for (let i = 0; i < 5; i++) tree.append(leafHash(Buffer.from([i])));
    const checkpoint = { origin: ORIGIN, size: tree.size, root: tree.root(), extensions: [] };
    const note = await signCheckpoint(checkpoint, [signer]);
    const opened = openCheckpoint(note, [verifier], ORIGIN);
    assert.deepEqual(opened.checkpoint, checkpoint);
    assert.deepEqual(
      opened.verified.map((k) => k.name),
      [ORIGIN],
    );
  });

  it('refuses a valid checkpoint of another log', async () => {
    const other = { origin: 'other.example/log', size: 1, root: ROOT, extensions: [] };
    const note = await signCheckpoint(other, [signer]);
    assert.throws(
      () => openCheckpoint(note, [verifier], ORIGIN),
      code('RAMPART_CHECKPOINT_INVALID'),
    );
  });

  it('refuses a checkpoint whose size was changed after signing', async () => {
    const note = await signCheckpoint({ origin: ORIGIN, size: 8, root: ROOT, extensions: [] }, [
      signer,
    ]);
    const tampered = note.replace('\n8\n', '\n9\n');
    assert.throws(
      () => openCheckpoint(tampered, [verifier], ORIGIN),
      code('RAMPART_SIGNATURE_INVALID'),
    );
  });
});
