import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyPair, isRampartError, localSigner } from '../core/index.js';
import type { Store } from '../store/index.js';
import { testDialects } from '../../testkit/dialects.js';
import {
  AuditLog,
  leafHash,
  noteSigner,
  parseCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  verifierKey,
} from './index.js';

const ORIGIN = 'rampart.test/audit/tamper';
// Appended one at a time, so there is a signed checkpoint at every size 1…N.
const N = 21;

/** A log of N entries on a fresh database. */
async function filledLog(store: Store): Promise<AuditLog> {
  const { privateKey, publicKey } = generateKeyPair('ed25519');
  const log = new AuditLog({
    store,
    origin: ORIGIN,
    signer: noteSigner(ORIGIN, localSigner(privateKey), publicKey),
    verifiers: [parseVerifierKey(verifierKey(ORIGIN, publicKey))],
    salt: Buffer.alloc(32, 1),
  });
  for (let i = 0; i < N; i++) {
    await log.append({
      actor: { subject: `svc-${i}`, type: 'service' },
      action: 'dataset.write',
      resource: { type: 'dataset', id: `ds-${i}` },
      decision: { allowed: true },
    });
  }
  assert.equal((await log.verify()).size, N);
  return log;
}

async function leaf(store: Store, idx: number): Promise<{ data: string; leaf_hash: Uint8Array }> {
  const [row] = await store.query<{ data: string; leaf_hash: Uint8Array }>(
    'SELECT data, leaf_hash FROM audit_leaves WHERE idx = ?',
    [idx],
  );
  assert.ok(row !== undefined);
  return row;
}

async function setLeaf(store: Store, idx: number, data: string, hash?: Uint8Array): Promise<void> {
  await store.run('UPDATE audit_leaves SET data = ?, leaf_hash = ? WHERE idx = ?', [
    data,
    hash ?? leafHash(Buffer.from(data, 'utf8')),
    idx,
  ]);
}

async function rejectsAt(log: AuditLog, index: number, checkpoint?: number): Promise<void> {
  await assert.rejects(log.verify(), (e) => {
    assert.ok(isRampartError(e, 'RAMPART_AUDIT_TAMPERED'), String(e));
    assert.equal(e.details.index, index);
    assert.equal(e.details.checkpoint, checkpoint);
    return true;
  });
}

type Tamper = readonly [string, (store: Store) => Promise<unknown>, number, number?];

const TAMPERS: readonly Tamper[] = [
  [
    "edits a leaf's data",
    async (s) => {
      const row = await leaf(s, 7);
      await setLeaf(s, 7, row.data.replace('"allowed":true', '"allowed":false'), row.leaf_hash);
    },
    7,
  ],
  [
    "edits a leaf's data and its stored hash to match",
    async (s) => {
      await setLeaf(s, 7, (await leaf(s, 7)).data.replace('ds-7', 'ds-x'));
    },
    7,
  ],
  [
    "edits a leaf's stored hash",
    (s) => s.run('UPDATE audit_leaves SET leaf_hash = ? WHERE idx = 7', [Buffer.alloc(32)]),
    7,
  ],
  [
    'rewrites a leaf as valid JSON that is not canonical',
    async (s) => {
      await setLeaf(s, 4, ` ${(await leaf(s, 4)).data}`);
    },
    4,
  ],
  [
    'edits a stored node hash at level 1',
    (s) =>
      s.run('UPDATE audit_nodes SET hash = ? WHERE level = 1 AND size = 14', [Buffer.alloc(32)]),
    13,
  ],
  [
    'edits a stored node hash at level 2',
    (s) =>
      s.run('UPDATE audit_nodes SET hash = ? WHERE level = 2 AND size = 12', [Buffer.alloc(32)]),
    11,
  ],
  ['deletes a leaf in the middle', (s) => s.run('DELETE FROM audit_leaves WHERE idx = 9'), 9],
  [
    'deletes the last leaf',
    (s) => s.run('DELETE FROM audit_leaves WHERE idx = ?', [N - 1]),
    N - 1,
    N,
  ],
  [
    'deletes the last two leaves and the nodes they completed',
    async (s) => {
      // Leaf 19 completes nodes (1, 9) and (2, 4) at size 20; leaf 20 completes none above its
      // own hash.
      await s.run('DELETE FROM audit_leaves WHERE idx >= ?', [N - 2]);
      await s.run('DELETE FROM audit_nodes WHERE size = 20');
    },
    N - 2,
    N - 1,
  ],
  [
    'swaps the data and hashes of two leaves',
    async (s) => {
      const [a, b] = [await leaf(s, 3), await leaf(s, 4)];
      await setLeaf(s, 3, b.data, b.leaf_hash);
      await setLeaf(s, 4, a.data, a.leaf_hash);
    },
    3,
  ],
  [
    'inserts an extra leaf at the end',
    async (s) => {
      const { data } = await leaf(s, 0);
      await s.run(
        'INSERT INTO audit_leaves (idx, leaf_hash, data, appended_at) VALUES (?, ?, ?, ?)',
        [N, leafHash(Buffer.from(data, 'utf8')), data, new Date().toISOString()],
      );
    },
    N,
  ],
  [
    'replaces a checkpoint with one signed by another key',
    async (s) => {
      const [row] = await s.query<{ note: string }>(
        'SELECT note FROM audit_checkpoints WHERE size = 10',
      );
      const { privateKey, publicKey } = generateKeyPair('ed25519');
      const forged = await signCheckpoint(parseCheckpoint(row!.note.split('\n\n')[0]! + '\n'), [
        noteSigner(ORIGIN, localSigner(privateKey), publicKey),
      ]);
      await s.run('UPDATE audit_checkpoints SET note = ? WHERE size = 10', [forged]);
    },
    9,
    10,
  ],
  [
    "changes a checkpoint's root column",
    (s) => s.run('UPDATE audit_checkpoints SET root = ? WHERE size = 10', [Buffer.alloc(32)]),
    9,
    10,
  ],
  [
    'deletes the latest checkpoint, leaving the last entry uncovered',
    (s) => s.run('DELETE FROM audit_checkpoints WHERE size = ?', [N]),
    N - 1,
  ],
  ['deletes all checkpoints', (s) => s.run('DELETE FROM audit_checkpoints'), 0],
];

for (const dialect of testDialects()) {
  describe(`AuditLog.verify against tampering (${dialect.name})`, { skip: dialect.skip }, () => {
    for (const [what, tamper, index, checkpoint] of TAMPERS) {
      it(`reports RAMPART_AUDIT_TAMPERED at the right index when someone ${what}`, async () => {
        const store = await dialect.open();
        const log = await filledLog(store);
        await tamper(store);
        await rejectsAt(log, index, checkpoint);
      });
    }
  });
}
