import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isRampartError } from '../core/index.js';
import { openState, type State } from '../state/index.js';
import { setMeta } from '../store/index.js';
import { tempDir } from '../../testkit/tmp.js';
import {
  localWitnessSource,
  openAuditLog,
  readWitnessState,
  witnessCheckpoint,
  type AuditLog,
  type WitnessSource,
} from './index.js';

interface TestLog {
  readonly state: State;
  readonly log: AuditLog;
  readonly verifierKey: string;
  readonly source: WitnessSource;
}

const root = tempDir();
const opened: State[] = [];
after(async () => {
  for (const state of opened) await state.close();
});

/** A log in a fresh state folder, optionally sharing the checkpoint key and origin of `twin`. */
async function newLog(name: string, twin?: TestLog): Promise<TestLog> {
  const home = path.join(root, name);
  if (twin !== undefined) {
    await mkdir(path.join(home, 'keys'), { recursive: true });
    for (const file of [twin.state.layout.checkpointKey, twin.state.layout.checkpointPublicKey]) {
      await copyFile(file, path.join(home, 'keys', path.basename(file)));
    }
  }
  const state = await openState({ home, env: {} });
  opened.push(state);
  if (twin !== undefined) await setMeta(state.store, 'audit_origin', twin.log.origin);
  const { log, verifierKey } = await openAuditLog(state.store, state.layout);
  return { state, log, verifierKey, source: localWitnessSource(log, verifierKey) };
}

async function appendEvents(target: TestLog, count: number, id = 'm'): Promise<string> {
  let checkpoint = '';
  for (let i = 0; i < count; i++) {
    ({ checkpoint } = await target.log.append({
      actor: { subject: 'alice', type: 'human' },
      action: 'model.promote',
      resource: { type: 'model', id: `${id}-${i}` },
      decision: { allowed: true },
    }));
  }
  return checkpoint;
}

const fixed = (checkpoint: string, verifierKey: string, base: WitnessSource): WitnessSource => ({
  latest: () => Promise.resolve({ checkpoint, verifierKey }),
  consistency: (from, to) => base.consistency(from, to),
});

describe('witnessCheckpoint', () => {
  it('accepts and pins the first checkpoint, then accepts proven growth', async () => {
    const a = await newLog('grow');
    const file = path.join(root, 'grow.witness.json');
    await appendEvents(a, 3);
    const first = await witnessCheckpoint(a.source, file);
    assert.equal(first.status, 'first');
    assert.equal(first.size, 3);
    assert.equal(first.previousSize, null);
    assert.deepEqual(await readWitnessState(file), {
      origin: a.log.origin,
      verifierKey: a.verifierKey,
      checkpoint: await a.log.checkpoint(),
    });

    assert.equal((await witnessCheckpoint(a.source, file)).status, 'unchanged');
    await appendEvents(a, 4, 'n');
    const grown = await witnessCheckpoint(a.source, file);
    assert.deepEqual(
      { status: grown.status, size: grown.size, previousSize: grown.previousSize },
      { status: 'extended', size: 7, previousSize: 3 },
    );
    assert.equal((await readWitnessState(file))?.checkpoint, await a.log.checkpoint());
  });

  it('refuses a rollback to an older checkpoint of the same log', async () => {
    const a = await newLog('rollback');
    const old = await appendEvents(a, 2);
    await appendEvents(a, 3, 'later');
    const file = path.join(root, 'rollback.witness.json');
    await witnessCheckpoint(a.source, file);
    const rolledBack = fixed(old, a.verifierKey, a.source);
    await assert.rejects(witnessCheckpoint(rolledBack, file), (e) =>
      isRampartError(e, 'RAMPART_AUDIT_FORK'),
    );
    assert.equal((await readWitnessState(file))?.checkpoint, await a.log.checkpoint());
  });

  it('detects a fork: same key and origin, different entries', async () => {
    const a = await newLog('fork-a');
    const b = await newLog('fork-b', a);
    assert.equal(b.verifierKey, a.verifierKey);
    await appendEvents(a, 3);
    await appendEvents(b, 3, 'other');
    const file = path.join(root, 'fork.witness.json');
    await witnessCheckpoint(a.source, file);
    await assert.rejects(witnessCheckpoint(b.source, file), (e) =>
      isRampartError(e, 'RAMPART_AUDIT_FORK'),
    );
    await appendEvents(b, 2, 'more');
    await assert.rejects(witnessCheckpoint(b.source, file), (e) =>
      isRampartError(e, 'RAMPART_AUDIT_FORK'),
    );
  });

  it('refuses a log whose verifier key changed, or a checkpoint signed by another key', async () => {
    const a = await newLog('key-a');
    const c = await newLog('key-c');
    await appendEvents(a, 1);
    const checkpointC = await appendEvents(c, 2);
    const file = path.join(root, 'key.witness.json');
    await witnessCheckpoint(a.source, file);
    await assert.rejects(witnessCheckpoint(c.source, file), (e) =>
      isRampartError(e, 'RAMPART_CHECKPOINT_INVALID'),
    );
    const impostor = fixed(checkpointC, a.verifierKey, c.source);
    await assert.rejects(witnessCheckpoint(impostor, file), (e) =>
      isRampartError(e, 'RAMPART_SIGNATURE_INVALID'),
    );
  });

  it('refuses a damaged state file and reports an empty log as not found', async () => {
    const a = await newLog('damaged');
    const file = path.join(root, 'damaged.witness.json');
    await assert.rejects(witnessCheckpoint(a.source, file), (e) =>
      isRampartError(e, 'RAMPART_AUDIT_NOT_FOUND'),
    );
    await appendEvents(a, 1);
    await writeFile(file, '{"origin": 1}');
    await assert.rejects(witnessCheckpoint(a.source, file), (e) =>
      isRampartError(e, 'RAMPART_CHECKPOINT_MALFORMED'),
    );
    await writeFile(file, 'not json');
    await assert.rejects(readWitnessState(file), (e) =>
      isRampartError(e, 'RAMPART_CHECKPOINT_MALFORMED'),
    );
    assert.equal(await readFile(file, 'utf8'), 'not json');
  });
});
