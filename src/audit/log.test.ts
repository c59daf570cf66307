import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { generateKeyPair, isRampartError, localSigner, savePrivateKey } from '../core/index.js';
import type { Store, StoreOptions } from '../store/index.js';
import { testDialects } from '../../testkit/dialects.js';
import { repoRoot } from '../../testkit/paths.js';
import { tempDir } from '../../testkit/tmp.js';
import type { CrashWorkerConfig } from './crash-worker.js';
import {
  AuditLog,
  MemoryTree,
  noteSigner,
  openCheckpoint,
  parseVerifierKey,
  verifierKey,
  verifyConsistency,
  verifyInclusion,
  type AuditEventInput,
  type AuditProof,
  type NoteVerifier,
} from './index.js';

const ORIGIN = 'rampart.test/audit/log';
const SALT = Buffer.alloc(32, 7);
const WORKER = path.join(repoRoot, 'dist', 'src', 'audit', 'crash-worker.js');
const execFileAsync = promisify(execFile);

/** Instances of one log (fresh Ed25519 key, same origin and salt), one per store handle. */
function newLogs(
  stores: readonly Store[],
  maxBatch?: number,
): { logs: AuditLog[]; verifier: NoteVerifier } {
  const { privateKey, publicKey } = generateKeyPair('ed25519');
  const verifier = parseVerifierKey(verifierKey(ORIGIN, publicKey));
  const logs = stores.map(
    (store) =>
      new AuditLog({
        store,
        origin: ORIGIN,
        signer: noteSigner(ORIGIN, localSigner(privateKey), publicKey),
        verifiers: [verifier],
        salt: SALT,
        ...(maxBatch === undefined ? {} : { maxBatch }),
      }),
  );
  return { logs, verifier };
}

function newLog(store: Store, maxBatch?: number): { log: AuditLog; verifier: NoteVerifier } {
  const { logs, verifier } = newLogs([store], maxBatch);
  return { log: logs[0]!, verifier };
}

function event(n: number, extra: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    actor: { subject: `user-${n}`, type: 'human' },
    action: 'model.promote',
    resource: { type: 'model', id: `fraud@${n}` },
    decision: { allowed: n % 2 === 0 },
    ...extra,
  };
}

function b64(text: string): Buffer {
  return Buffer.from(text, 'base64');
}

async function checkpointSizes(store: Store): Promise<number[]> {
  const rows = await store.query<{ size: number }>(
    'SELECT size FROM audit_checkpoints ORDER BY size',
  );
  return rows.map((row) => row.size);
}

function checkInclusion(leafHashHex: string, index: number, proof: AuditProof): void {
  verifyInclusion(
    Buffer.from(leafHashHex, 'hex'),
    index,
    proof.size,
    proof.proof.map(b64),
    b64(proof.root),
  );
}

for (const dialect of testDialects()) {
  describe(`AuditLog (${dialect.name})`, { skip: dialect.skip }, () => {
    it('gives consecutive indexes and a checkpoint that opens with the verifier key', async () => {
      const { log, verifier } = newLog(await dialect.open());
      for (let i = 0; i < 5; i++) {
        const receipt = await log.append(event(i));
        assert.equal(receipt.index, i);
        const opened = openCheckpoint(receipt.checkpoint, [verifier], ORIGIN);
        assert.ok(opened.checkpoint.size >= i + 1);
      }
      assert.equal(await log.size(), 5);
      const last = await log.append(event(5));
      assert.equal(await log.checkpoint(), last.checkpoint);
    });

    it('has no checkpoint and verifies as empty before the first append', async () => {
      const { log } = newLog(await dialect.open());
      assert.equal(await log.checkpoint(), null);
      assert.equal(await log.size(), 0);
      assert.deepEqual(await log.verify(), {
        size: 0,
        checkpoints: 0,
        root: '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
      });
    });

    it('group-commits 200 concurrent appends into fewer checkpoints, all acknowledged', async () => {
      const store = await dialect.open();
      const { log, verifier } = newLog(store);
      const receipts = await Promise.all(
        Array.from({ length: 200 }, (_, i) => log.append(event(i))),
      );
      const indexes = receipts.map((r) => r.index).sort((a, b) => a - b);
      assert.deepEqual(
        indexes,
        Array.from({ length: 200 }, (_, i) => i),
      );
      for (const receipt of receipts) {
        const opened = openCheckpoint(receipt.checkpoint, [verifier], ORIGIN);
        assert.ok(opened.checkpoint.size > receipt.index);
      }
      const sizes = await checkpointSizes(store);
      assert.ok(sizes.length < 200, `${sizes.length} checkpoints for 200 appends`);
      assert.equal(sizes.at(-1), 200);
      assert.equal((await log.verify()).size, 200);
    });

    it('splits a large burst into batches of at most maxBatch entries', async () => {
      const store = await dialect.open();
      const { log } = newLog(store, 16);
      await Promise.all(Array.from({ length: 100 }, (_, i) => log.append(event(i))));
      const sizes = await checkpointSizes(store);
      sizes.forEach((size, i) => {
        assert.ok(size - (sizes[i - 1] ?? 0) <= 16);
      });
      assert.equal((await log.verify()).checkpoints, sizes.length);
    });

    it('serves inclusion proofs that verify against the root, for many indexes and sizes', async () => {
      const { log } = newLog(await dialect.open());
      const tree = new MemoryTree();
      for (let i = 0; i < 37; i++) await log.append(event(i));
      const entries = await log.entries(0, 100);
      for (const entry of entries) tree.append(Buffer.from(entry.leafHash, 'hex'));
      assert.equal((await log.inclusion(36)).root, tree.root().toString('base64'));
      for (const size of [1, 2, 3, 7, 8, 16, 17, 33, 37]) {
        for (const index of new Set([0, 1, size >> 1, size - 2, size - 1])) {
          if (index < 0 || index >= size) continue;
          const proof = await log.inclusion(index, size);
          assert.equal(proof.size, size);
          checkInclusion(entries[index]?.leafHash ?? '', index, proof);
        }
      }
    });

    it('serves consistency proofs between every pair of signed checkpoints', async () => {
      const store = await dialect.open();
      const { log, verifier } = newLog(store);
      const notes: string[] = [];
      for (const burst of [1, 3, 4, 9, 1, 15]) {
        const receipts = await Promise.all(
          Array.from({ length: burst }, (_, i) => log.append(event(i))),
        );
        notes.push(...new Set(receipts.map((r) => r.checkpoint)));
      }
      const checkpoints = notes.map((n) => openCheckpoint(n, [verifier], ORIGIN).checkpoint);
      for (const older of checkpoints) {
        for (const newer of checkpoints.filter((c) => c.size >= older.size)) {
          const proof = await log.consistency(older.size, newer.size);
          assert.equal(proof.root, newer.root.toString('base64'));
          verifyConsistency(older.size, newer.size, older.root, newer.root, proof.proof.map(b64));
        }
      }
    });

    it('returns stored entries with their fields, a source hash and no raw source', async () => {
      const { log } = newLog(await dialect.open());
      const input = event(1, {
        actor: { subject: 'alice', type: 'human', source: '203.0.113.9' },
        resource: { type: 'model', id: 'fraud@3', digest: `sha256:${'ab'.repeat(32)}` },
        evidence: [`sha256:${'cd'.repeat(32)}`],
        correlationId: 'req-42',
      });
      await log.append(event(0));
      const { index } = await log.append(input);
      const entry = await log.entry(index);
      assert.equal(entry.index, 1);
      assert.equal(entry.event.version, 1);
      assert.equal(entry.event.actor.subject, 'alice');
      assert.match(entry.event.actor.sourceHash ?? '', /^hmac-sha256:[0-9a-f]{64}$/);
      assert.deepEqual(entry.event.resource, input.resource);
      assert.deepEqual(entry.event.decision, input.decision);
      assert.deepEqual(entry.event.evidence, input.evidence);
      assert.equal(entry.event.correlationId, 'req-42');
      assert.doesNotMatch(entry.data, /203\.0\.113\.9/);
      assert.deepEqual(JSON.parse(entry.data), entry.event);
      assert.match(entry.leafHash, /^[0-9a-f]{64}$/);
      assert.ok(!Number.isNaN(Date.parse(entry.appendedAt)));
      const page = await log.entries(0, 10);
      assert.deepEqual(
        page.map((e) => e.index),
        [0, 1],
      );
      assert.deepEqual(page[1], entry);
    });

    it('refuses bad events with RAMPART_AUDIT_EVENT_INVALID and appends nothing', async () => {
      const store = await dialect.open();
      const { log } = newLog(store);
      await log.append(event(0));
      const bad: unknown[] = [
        null,
        'model.promote',
        { ...event(1), action: undefined },
        { ...event(1), unexpected: true },
        { ...event(1), actor: { subject: 'a', type: 'human', role: 'admin' } },
        event(1, { decision: { allowed: true, reason: 'x'.repeat(1025) } }),
        event(1, { evidence: Array.from({ length: 64 }, () => `sha256:${'€'.repeat(64)}`) }),
        event(1, { correlationId: `rmp_${'A'.repeat(24)}` }),
        event(1, { decision: { allowed: false, reason: 'Authorization: Bearer abcdefghijkl' } }),
        event(1, { resource: { type: 'model', id: 'm', digest: `sha256:${'AB'.repeat(32)}` } }),
        event(1, { evidence: ['sha256:1234'] }),
      ];
      for (const input of bad) {
        await assert.rejects(log.append(input), (e) =>
          isRampartError(e, 'RAMPART_AUDIT_EVENT_INVALID'),
        );
      }
      assert.equal(await log.size(), 1);
      assert.deepEqual(await checkpointSizes(store), [1]);
    });

    it('rolls a failed batch back whole and keeps appending after it', async () => {
      const store = await dialect.open();
      const { privateKey, publicKey } = generateKeyPair('ed25519');
      const real = localSigner(privateKey);
      let failNext = false;
      const signer = {
        ...real,
        sign: (data: Uint8Array) =>
          failNext ? Promise.reject(new Error('HSM offline')) : real.sign(data),
      };
      const log = new AuditLog({
        store,
        origin: ORIGIN,
        signer: noteSigner(ORIGIN, signer, publicKey),
        verifiers: [parseVerifierKey(verifierKey(ORIGIN, publicKey))],
        salt: SALT,
      });
      await Promise.all([0, 1, 2].map((i) => log.append(event(i))));
      failNext = true;
      await assert.rejects(Promise.all([3, 4].map((i) => log.append(event(i)))), /HSM offline/);
      failNext = false;
      assert.equal(await log.size(), 3);
      const receipts = await Promise.all([5, 6, 7, 8].map((i) => log.append(event(i))));
      assert.deepEqual(
        receipts.map((r) => r.index),
        [3, 4, 5, 6],
      );
      assert.equal((await log.verify()).size, 7);
    });

    it('reports RAMPART_AUDIT_NOT_FOUND for entries and proofs past the end', async () => {
      const { log } = newLog(await dialect.open());
      for (let i = 0; i < 3; i++) await log.append(event(i));
      const notFound = (e: unknown) => isRampartError(e, 'RAMPART_AUDIT_NOT_FOUND');
      await assert.rejects(log.entry(3), notFound);
      await assert.rejects(log.entry(1000), notFound);
      await assert.rejects(log.inclusion(0, 4), notFound);
      await assert.rejects(log.consistency(1, 4), notFound);
      assert.deepEqual(await log.entries(3, 10), []);
    });

    it(
      'stays valid when two connections in one process interleave appends',
      {
        skip:
          dialect.name === 'sqlite'
            ? 'one SQLite connection per process (see the next test)'
            : false,
      },
      async () => {
        const options = dialect.freshOptions();
        const { logs } = newLogs([await dialect.open(options), await dialect.open(options)]);
        const [a, b] = [logs[0]!, logs[1]!];
        const receipts = await Promise.all(
          Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? a : b).append(event(i))),
        );
        assert.equal(new Set(receipts.map((r) => r.index)).size, 120);
        const report = await a.verify();
        assert.equal(report.size, 120);
        assert.deepEqual(await b.verify(), report);
      },
    );

    it('stays valid when another process appends to the same database at the same time', async () => {
      const options = dialect.freshOptions();
      const store = await dialect.open(options);
      const { log, config } = await sharedWithWorker(store, options);
      const child = execFileAsync(process.execPath, [WORKER, JSON.stringify(config)], {
        timeout: 60_000,
      });
      const worker = { done: false };
      void child.finally(() => {
        worker.done = true;
      });
      const mine: number[] = [];
      // Appends until the worker is done, so that both processes write at the same time.
      for (let i = 0; !worker.done || i < 20; i += 2) {
        const pair = await Promise.all([log.append(event(i)), log.append(event(i + 1))]);
        mine.push(...pair.map((r) => r.index));
      }
      const theirs = ackedLines((await child).stdout);
      assert.equal(theirs.size, config.appenders * config.count);
      assert.equal(new Set([...mine, ...theirs.keys()]).size, mine.length + theirs.size);
      assert.equal((await log.verify()).size, mine.length + theirs.size);
      for (const [index, data] of theirs) assert.equal((await log.entry(index)).data, data);
    });
  });
}

/** A log in this process and a worker configuration for another instance of the same log. */
async function sharedWithWorker(
  store: Store,
  options: StoreOptions,
): Promise<{ log: AuditLog; config: CrashWorkerConfig }> {
  const { privateKey, publicKey } = generateKeyPair('ed25519');
  const keyFile = path.join(tempDir(), 'checkpoint.key');
  await savePrivateKey(keyFile, privateKey);
  const log = new AuditLog({
    store,
    origin: ORIGIN,
    signer: noteSigner(ORIGIN, localSigner(privateKey), publicKey),
    verifiers: [parseVerifierKey(verifierKey(ORIGIN, publicKey))],
    salt: SALT,
  });
  const config: CrashWorkerConfig = {
    store: options,
    keyFile,
    origin: ORIGIN,
    salt: SALT.toString('hex'),
    time: '2030-01-02T03:04:05.000Z',
    appenders: 4,
    count: 40,
    tag: 'other',
  };
  return { log, config };
}

/** The worker's acknowledged appends: index → leaf data. */
function ackedLines(stdout: string): Map<number, string> {
  const acked = new Map<number, string>();
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) acked.set(Number(line.slice(0, tab)), line.slice(tab + 1));
  }
  return acked;
}
