import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyPair, localSigner } from '../core/index.js';
import { MIGRATIONS, runMigrations } from '../store/index.js';
import { testDialects } from '../../testkit/dialects.js';
import {
  AuditLog,
  leafHash,
  noteSigner,
  parseVerifierKey,
  signCheckpoint,
  verifierKey,
  verifyInclusion,
} from './index.js';
import { appendLeaves, compactRoot, EMPTY_RANGE } from './merkle/compact.js';

const ORIGIN = 'rampart.test/audit/migration';
const SALT = Buffer.alloc(32, 3);
const N = 37;

for (const dialect of testDialects()) {
  describe(`audit log written before migration 7 (${dialect.name})`, { skip: dialect.skip }, () => {
    it('verifies, proves and keeps appending after its nodes are re-keyed by size', async () => {
      const store = await dialect.open({ ...dialect.freshOptions(), migrate: false });
      await runMigrations(
        store,
        MIGRATIONS.filter((m) => m.version < 7),
      );
      const { privateKey, publicKey } = generateKeyPair('ed25519');
      const signer = noteSigner(ORIGIN, localSigner(privateKey), publicKey);
      const log = new AuditLog({
        store,
        origin: ORIGIN,
        signer,
        verifiers: [parseVerifierKey(verifierKey(ORIGIN, publicKey))],
        salt: SALT,
      });
      // The version 6 layout: every perfect node, level 0 included, keyed by (level, idx).
      const leaves = Array.from({ length: N }, (_, i) =>
        Buffer.from(`{"action":"old.entry","n":${i}}`),
      );
      const { range, completed } = appendLeaves(EMPTY_RANGE, leaves.map(leafHash));
      const now = new Date().toISOString();
      for (const [i, data] of leaves.entries()) {
        await store.run(
          'INSERT INTO audit_leaves (idx, leaf_hash, data, appended_at) VALUES (?, ?, ?, ?)',
          [i, leafHash(data), data.toString('utf8'), now],
        );
      }
      for (const node of completed) {
        await store.run('INSERT INTO audit_nodes (level, idx, hash) VALUES (?, ?, ?)', [
          node.level,
          node.index,
          node.hash,
        ]);
      }
      const root = compactRoot(range);
      const note = await signCheckpoint({ origin: ORIGIN, size: N, root, extensions: [] }, [
        signer,
      ]);
      await store.run(
        'INSERT INTO audit_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?)',
        [N, root, note, now],
      );

      await store.migrate();
      const [counted] = await store.query<{ n: number }>('SELECT COUNT(*) AS n FROM audit_nodes');
      assert.equal(counted?.n, completed.filter((node) => node.level > 0).length);
      assert.equal((await log.verify()).root, root.toString('base64'));
      const proof = await log.inclusion(12);
      verifyInclusion(
        Buffer.from(proof.leafHash, 'base64'),
        12,
        N,
        proof.proof.map((h) => Buffer.from(h, 'base64')),
        root,
      );
      const receipt = await log.append({
        actor: { subject: 'svc', type: 'service' },
        action: 'new.entry',
        resource: { type: 'model', id: 'm@1' },
        decision: { allowed: true },
      });
      assert.equal(receipt.index, N);
      assert.equal((await log.verify()).size, N + 1);
      await log.consistency(N, N + 1);
    });
  });
}
