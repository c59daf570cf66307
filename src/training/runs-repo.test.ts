import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '../core/index.js';
import { testDialects } from '../../testkit/dialects.js';
import { findRun, insertRun, listRuns, type RunFacts } from './index.js';

const digest = (text: string) => sha256(text);

function facts(id: string, startedOn: string, outputs: number): RunFacts {
  return {
    id,
    name: 'fraud',
    status: 'succeeded',
    exitCode: 0,
    command: ['python', 'train.py'],
    cwd: '/work',
    parameters: { lr: '0.1' },
    seed: 7,
    datasets: [{ label: 'tx@1', digest: digest('tx') }],
    lockfiles: [],
    principal: { subject: 'alice', type: 'human' },
    isolation: { requested: true, held: true, method: 'unshare -n' },
    startedOn,
    finishedOn: startedOn,
    logs: { stdout: digest('out'), stderr: digest('err') },
    outputs: Array.from({ length: outputs }, (_, i) => ({
      path: `/work/model-${i}.onnx`,
      digest: digest(`model ${i}`),
    })),
  };
}

for (const dialect of testDialects()) {
  describe(`training runs repository on ${dialect.name}`, { skip: dialect.skip }, () => {
    it('stores a run with its outputs in order, lists newest first, and refuses a second insert', async () => {
      const store = await dialect.open();
      const older = facts('run-a', '2026-11-01T00:00:00.000Z', 2);
      const newer = facts('run-b', '2026-11-02T00:00:00.000Z', 0);
      for (const run of [older, newer]) {
        const provenance = JSON.stringify({ run: run.id });
        await insertRun(store, { facts: run, provenance, provenanceDigest: digest(provenance) });
      }
      const listed = await listRuns(store);
      assert.deepEqual(
        listed.map((r) => [r.id, r.isolated, r.exitCode]),
        [
          ['run-b', true, 0],
          ['run-a', true, 0],
        ],
      );
      const found = await findRun(store, 'run-a');
      assert.deepEqual(found.facts, older);
      assert.deepEqual(
        found.outputRows.map((o) => o.path),
        ['/work/model-0.onnx', '/work/model-1.onnx'],
      );
      assert.equal(found.provenanceDigest, digest(JSON.stringify({ run: 'run-a' })));
      await assert.rejects(
        insertRun(store, { facts: older, provenance: '{}', provenanceDigest: digest('{}') }),
      );
      // The failed insert left nothing half-written.
      assert.equal((await findRun(store, 'run-a')).outputRows.length, 2);
      await assert.rejects(findRun(store, 'nope'), /RAMPART_TRAIN_RUN_NOT_FOUND|no training run/);
    });
  });
}
