import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testDialects } from '../../../testkit/dialects.js';
import { isRampartError } from '../../core/index.js';
import {
  createDeployment,
  listDeployments,
  readDeployment,
  updateDeployment,
  type Deployment,
} from './deployments.js';

const AT = '2026-01-01T00:00:00.000Z';

function running(model: string, over: Partial<Deployment> = {}): Deployment {
  return {
    model,
    stableVersion: 1,
    canaryVersion: 2,
    steps: [5, 25, 50, 100],
    step: 0,
    weight: 5,
    state: 'running',
    reason: 'started',
    updatedBy: 'alice',
    updatedAt: AT,
    ...over,
  };
}

for (const dialect of testDialects()) {
  describe(`canary deployments store (${dialect.name})`, { skip: dialect.skip }, () => {
    it('round-trips a deployment', async () => {
      const store = await dialect.open();
      await createDeployment(store, running('fraud'));
      assert.deepEqual(await readDeployment(store, 'fraud'), running('fraud'));
      assert.equal(await readDeployment(store, 'other'), undefined);
    });

    it('compare-and-set on (state, step): of two advances from the same step only one applies', async () => {
      const store = await dialect.open();
      const seen = running('fraud');
      await createDeployment(store, seen);
      const advance = { ...seen, step: 1, weight: 25, updatedBy: 'gw', updatedAt: AT };
      const results = await Promise.all([
        updateDeployment(store, seen, advance),
        updateDeployment(store, seen, advance),
      ]);
      assert.deepEqual(results.sort(), [false, true]);
      assert.equal((await readDeployment(store, 'fraud'))?.step, 1);
      // A rollback (any step) still applies to the same running deployment.
      const rollback = { ...seen, weight: 0, state: 'rolled_back' as const };
      assert.equal(await updateDeployment(store, seen, rollback, { anyStep: true }), true);
      // …but not twice, and not to a deployment that is no longer running.
      assert.equal(await updateDeployment(store, seen, rollback, { anyStep: true }), false);
    });

    it('never replaces a running or latched deployment; replaces a promoted or aborted one', async () => {
      const store = await dialect.open();
      await createDeployment(store, running('fraud'));
      await assert.rejects(createDeployment(store, running('fraud', { canaryVersion: 3 })), (e) =>
        isRampartError(e, 'RAMPART_DEPLOYMENT_REFUSED'),
      );
      const current = running('fraud');
      await updateDeployment(
        store,
        current,
        { ...current, weight: 0, state: 'rolled_back' },
        {
          anyStep: true,
        },
      );
      await assert.rejects(
        createDeployment(store, running('fraud', { canaryVersion: 3 })),
        /latched/,
      );
      const latched = (await readDeployment(store, 'fraud')) as Deployment;
      await updateDeployment(store, latched, { ...latched, state: 'aborted' }, { anyStep: true });
      await createDeployment(store, running('fraud', { canaryVersion: 3 }));
      assert.equal((await readDeployment(store, 'fraud'))?.canaryVersion, 3);
    });

    it('reports a damaged row instead of serving from it', async () => {
      const store = await dialect.open();
      await createDeployment(store, running('good'));
      await createDeployment(store, running('bad'));
      await store.run("UPDATE deployments SET steps = '[5,25]' WHERE model = 'bad'");
      const listed = await listDeployments(store);
      assert.deepEqual(
        listed.deployments.map((d) => d.model),
        ['good'],
      );
      assert.deepEqual(listed.damaged, ['bad']);
      await assert.rejects(readDeployment(store, 'bad'), (e) =>
        isRampartError(e, 'RAMPART_DEPLOYMENT_STATE'),
      );
    });
  });
}
