import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateKeyPair, HashPool, isRampartError, localSigner, sha256 } from '../core/index.js';
import type { Principal } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { testDialects } from '../../testkit/dialects.js';
import { tempDir } from '../../testkit/tmp.js';
import {
  addDatasetVersion,
  datasetLineage,
  findVersion,
  insertVersion,
  listVersions,
  nextSequence,
  parentsOf,
  verifyDatasetVersion,
  type DatasetContext,
  type VersionRecord,
} from './index.js';

const ADMIN: Principal = { subject: 'admin', type: 'human', roles: ['admin'], owner: null };

const record = (name: string, sequence: number, content: string): VersionRecord => ({
  name,
  sequence,
  digest: sha256(content),
  fileCount: 1,
  totalSize: content.length,
  createdAt: '2026-03-01T00:00:00.000Z',
  manifestDigest: sha256(`manifest ${content}`),
  manifest: `{"m":"${content}"}`,
  provenance: '{}',
  path: '/data',
});

function context(store: Store, events: unknown[]): DatasetContext {
  const { privateKey, publicKey } = generateKeyPair('ecdsa-p256');
  const pool = new HashPool({ size: 2 });
  return {
    store,
    signer: localSigner(privateKey),
    trusted: publicKey,
    audit: {
      append: (event) => {
        events.push(event);
        return Promise.resolve({ index: events.length - 1, checkpoint: 'test' });
      },
    },
    principal: ADMIN,
    pool,
    now: () => new Date('2026-03-02T10:00:00Z'),
  };
}

for (const dialect of testDialects()) {
  describe(`dataset repository on ${dialect.name}`, { skip: dialect.skip }, () => {
    it('stores versions with parents and finds them by latest, number and digest', async () => {
      const store = await dialect.open();
      assert.equal(await nextSequence(store, 'raw'), 1);
      await store.transaction((tx) => insertVersion(tx, record('raw', 1, 'a'), []));
      await store.transaction((tx) => insertVersion(tx, record('raw', 2, 'b'), []));
      const clean = record('clean', 1, 'c');
      await store.transaction((tx) =>
        insertVersion(tx, clean, [
          { name: 'raw', sequence: 2 },
          { name: 'raw', sequence: 1 },
        ]),
      );
      assert.equal(await nextSequence(store, 'raw'), 3);
      assert.deepEqual(
        await findVersion(store, { name: 'clean', version: { kind: 'latest' } }),
        clean,
      );
      const latest = await findVersion(store, { name: 'raw', version: { kind: 'latest' } });
      assert.equal(latest?.sequence, 2);
      const bySequence = await findVersion(store, {
        name: 'raw',
        version: { kind: 'sequence', sequence: 1 },
      });
      assert.equal(bySequence?.digest, sha256('a'));
      const byDigest = await findVersion(store, {
        name: 'raw',
        version: { kind: 'digest', digest: sha256('b') },
      });
      assert.equal(byDigest?.sequence, 2);
      assert.equal(
        await findVersion(store, { name: 'raw', version: { kind: 'sequence', sequence: 9 } }),
        undefined,
      );
      assert.deepEqual(await parentsOf(store, { name: 'clean', sequence: 1 }), [
        { name: 'raw', sequence: 2 },
        { name: 'raw', sequence: 1 },
      ]);
      const listed = await listVersions(store);
      assert.deepEqual(
        listed.map((v) => `${v.name}@${v.sequence}`),
        ['clean@1', 'raw@1', 'raw@2'],
      );
    });

    it('refuses a second version with the same digest or number, and rolls back the whole insert', async () => {
      const store = await dialect.open();
      await store.transaction((tx) => insertVersion(tx, record('raw', 1, 'a'), []));
      const conflict = (error: unknown) => isRampartError(error, 'RAMPART_STORE_CONFLICT');
      await assert.rejects(
        store.transaction((tx) => insertVersion(tx, record('raw', 2, 'a'), [])),
        conflict,
      );
      await assert.rejects(
        store.transaction((tx) => insertVersion(tx, record('raw', 1, 'b'), [])),
        conflict,
      );
      // A parent link that points nowhere fails after the version row: neither may remain.
      await assert.rejects(
        store.transaction((tx) =>
          insertVersion(tx, record('orphan', 1, 'x'), [{ name: 'nope', sequence: 1 }]),
        ),
      );
      assert.deepEqual(
        (await listVersions(store)).map((v) => `${v.name}@${v.sequence}`),
        ['raw@1'],
      );
    });

    it('refuses a principal without the admin or data-steward role, with a denied audit entry', async () => {
      const store = await dialect.open();
      const events: unknown[] = [];
      const base = context(store, events);
      const ctx = {
        ...base,
        principal: {
          subject: 'bob',
          type: 'human' as const,
          roles: ['auditor' as const],
          owner: null,
        },
      };
      const folder = tempDir();
      writeFileSync(path.join(folder, 'a.csv'), 'x\n');
      try {
        await assert.rejects(addDatasetVersion(ctx, { path: folder, name: 'raw' }), {
          code: 'RAMPART_DATASET_REFUSED',
        });
        const steward = {
          ...base,
          principal: {
            subject: 'sue',
            type: 'human' as const,
            roles: ['data-steward' as const],
            owner: null,
          },
        };
        assert.equal(
          (await addDatasetVersion(steward, { path: folder, name: 'raw' })).label,
          'raw@1',
        );
      } finally {
        await base.pool.close();
      }
      const [denied] = events as { decision: { allowed: boolean }; actor: { subject: string } }[];
      assert.deepEqual([denied?.actor.subject, denied?.decision.allowed], ['bob', false]);
      assert.equal((await listVersions(store)).length, 1);
    });

    it('adds, re-adds, verifies and walks the lineage through the library', async () => {
      const store = await dialect.open();
      const events: unknown[] = [];
      const ctx = context(store, events);
      const root = tempDir();
      const raw = path.join(root, 'raw');
      mkdirSync(path.join(raw, 'part'), { recursive: true });
      writeFileSync(path.join(raw, 'a.csv'), 'id,x\n1,2\n');
      writeFileSync(path.join(raw, 'part', 'b.csv'), 'id,x\n3,4\n');
      try {
        const first = await addDatasetVersion(ctx, {
          path: raw,
          name: 'raw',
          source: 's3://b/raw',
        });
        assert.equal(first.label, 'raw@1');
        assert.equal(first.created, true);
        const again = await addDatasetVersion(ctx, { path: raw, name: 'raw' });
        assert.deepEqual(
          [again.created, again.label, again.digest],
          [false, 'raw@1', first.digest],
        );
        const child = await addDatasetVersion(ctx, {
          path: path.join(raw, 'a.csv'),
          name: 'clean',
          parents: ['raw@1'],
          transforms: ['keep a.csv'],
        });
        const report = await verifyDatasetVersion(ctx, 'raw@1');
        assert.equal(report.verified, true);
        const tree = await datasetLineage(store, ctx.trusted, child.label);
        assert.deepEqual(
          [tree.label, tree.parents.map((p) => p.label), tree.parents[0]?.source],
          ['clean@1', ['raw@1'], 's3://b/raw'],
        );
        assert.deepEqual(
          events.map((e) => {
            const event = e as { action: string; resource: { id: string } };
            return `${event.action} ${event.resource.id}`;
          }),
          ['dataset.add raw@1', 'dataset.add raw@1', 'dataset.add clean@1', 'dataset.verify raw@1'],
        );
      } finally {
        await ctx.pool.close();
      }
    });
  });
}
