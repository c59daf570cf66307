import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '../core/index.js';
import { testDialects } from '../../testkit/dialects.js';
import {
  closeRequest,
  insertRequest,
  insertReview,
  listRequests,
  reviewsOf,
} from './promotions-repo.js';
import {
  aliasesOf,
  dropAliasesOf,
  insertModelVersion,
  insertQuarantine,
  listModels,
  quarantineOf,
  resolveModelVersion,
  setAlias,
  type ModelVersionRecord,
} from './versions-repo.js';

const version = (content: string): Omit<ModelVersionRecord, 'version'> => ({
  name: 'fraud',
  digest: sha256(content),
  manifest: {
    format: 'rampart.model-manifest/v1',
    subject: 'm',
    files: [{ path: 'a', digest: sha256(content), size: 1 }],
  },
  bundle: '{}',
  scanDigest: sha256(`scan ${content}`),
  scan: { verdict: 'clean', findings: 0, problems: 0, highest: null },
  runId: null,
  createdBy: 'alice',
  createdAt: '2026-11-25T00:00:00.000Z',
  datasets: [],
});

for (const dialect of testDialects()) {
  describe(`registry repository on ${dialect.name}`, { skip: dialect.skip }, () => {
    it('numbers versions, even when registered concurrently, and never lets one change', async () => {
      const store = await dialect.open();
      try {
        const made = await Promise.all(
          ['a', 'b', 'c', 'd'].map((c) => insertModelVersion(store, version(c))),
        );
        assert.deepEqual(made.map((v) => v.version).sort(), [1, 2, 3, 4]);
        assert.deepEqual(await listModels(store), [{ name: 'fraud', versions: 4 }]);
        const latest = await resolveModelVersion(store, {
          name: 'fraud',
          selector: { kind: 'latest' },
        });
        assert.equal(latest.version, 4);
        await assert.rejects(
          store.run("UPDATE model_versions SET digest = 'x' WHERE name = 'fraud'"),
          /immutable/,
        );
        await assert.rejects(
          store.run("DELETE FROM model_versions WHERE name = 'fraud'"),
          /immutable/,
        );
        const again = await resolveModelVersion(store, {
          name: 'fraud',
          selector: { kind: 'number', version: 1 },
        });
        assert.equal(again.digest, made.find((v) => v.version === 1)?.digest);
      } finally {
        await store.close();
      }
    });

    it('moves aliases, drops them on quarantine and keeps requests and reviews', async () => {
      const store = await dialect.open();
      try {
        await insertModelVersion(store, version('a'));
        await insertModelVersion(store, version('b'));
        const at = '2026-11-25T01:00:00.000Z';
        await setAlias(store, {
          name: 'fraud',
          alias: 'production',
          version: 1,
          by: 'bob',
          at,
          requestId: null,
        });
        await setAlias(store, {
          name: 'fraud',
          alias: 'production',
          version: 2,
          by: 'bob',
          at,
          requestId: null,
        });
        await setAlias(store, {
          name: 'fraud',
          alias: 'staging',
          version: 2,
          by: 'bob',
          at,
          requestId: null,
        });
        assert.deepEqual(await aliasesOf(store, 'fraud'), { production: 2, staging: 2 });
        const alias = await resolveModelVersion(store, {
          name: 'fraud',
          selector: { kind: 'alias', alias: 'staging' },
        });
        assert.equal(alias.version, 2);
        await insertQuarantine(store, {
          name: 'fraud',
          version: 2,
          reason: 'poisoned',
          by: 'carol',
          at,
        });
        assert.deepEqual((await dropAliasesOf(store, 'fraud', 2)).sort(), [
          'production',
          'staging',
        ]);
        assert.equal((await quarantineOf(store, 'fraud', 2))?.reason, 'poisoned');
        const request = {
          id: 'pr_1',
          name: 'fraud',
          version: 1,
          alias: 'production',
          state: 'open' as const,
          evidence: [],
          requestedBy: 'alice',
          createdAt: at,
          expiresAt: at,
          decidedAt: null,
          reason: null,
        };
        await insertRequest(store, request);
        await insertReview(store, {
          requestId: 'pr_1',
          principal: 'bob',
          role: 'approver',
          decision: 'approve',
          comment: null,
          statement: '{}',
          createdAt: at,
        });
        await assert.rejects(
          insertReview(store, {
            requestId: 'pr_1',
            principal: 'bob',
            role: 'approver',
            decision: 'approve',
            comment: null,
            statement: '{}',
            createdAt: at,
          }),
        );
        assert.equal((await reviewsOf(store, 'pr_1')).length, 1);
        assert.equal(
          await closeRequest(store, { id: 'pr_1', state: 'approved', reason: 'ok', at }),
          true,
        );
        assert.equal(
          await closeRequest(store, { id: 'pr_1', state: 'rejected', reason: 'late', at }),
          false,
        );
        assert.equal((await listRequests(store, 'fraud'))[0]?.state, 'approved');
      } finally {
        await store.close();
      }
    });
  });
}
