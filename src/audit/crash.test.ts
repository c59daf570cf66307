import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { generateKeyPair, loadPrivateKey, localSigner, savePrivateKey } from '../core/index.js';
import { openStore, type StoreOptions } from '../store/index.js';
import { repoRoot } from '../../testkit/paths.js';
import { tempDir } from '../../testkit/tmp.js';
import type { CrashWorkerConfig } from './crash-worker.js';
import { AuditLog, noteSigner, parseVerifierKey, verifierKey } from './index.js';

const WORKER = path.join(repoRoot, 'dist', 'src', 'audit', 'crash-worker.js');
const ROUNDS = 24;
const ORIGIN = 'rampart.test/audit/crash';

// Kill delays spread over 10–150 ms, fixed so that a failing round can be replayed.
function killDelayMs(round: number): number {
  return 10 + ((round * 53) % 141);
}

/** Runs the worker, kills it with SIGKILL `delayMs` after it is ready; returns its stdout. */
async function runAndKill(config: CrashWorkerConfig, delayMs: number): Promise<string> {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  let stdout = '';
  const ready = new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.startsWith('ready\n')) resolve();
    });
    void exited.then(() => {
      resolve();
    });
  });
  await ready;
  await sleep(delayMs);
  child.kill('SIGKILL');
  await exited;
  // The pipe may still hold lines written before the kill.
  if (!child.stdout.readableEnded) await once(child.stdout, 'end');
  return stdout;
}

/** index → leaf data of every acknowledged append (a torn last line is not an acknowledgement). */
function acknowledged(stdout: string): Map<number, string> {
  const acked = new Map<number, string>();
  for (const line of stdout.split('\n').slice(0, -1)) {
    const tab = line.indexOf('\t');
    if (tab > 0) acked.set(Number(line.slice(0, tab)), line.slice(tab + 1));
  }
  return acked;
}

/** Opens the store afresh, as after a restart, verifies the log and checks every acknowledged entry. */
async function checkAfterCrash(
  options: StoreOptions,
  config: CrashWorkerConfig,
  acked: ReadonlyMap<number, string>,
): Promise<number> {
  const store = await openStore(options);
  try {
    const privateKey = await loadPrivateKey(config.keyFile);
    const publicKey = createPublicKey(privateKey);
    const log = new AuditLog({
      store,
      origin: ORIGIN,
      signer: noteSigner(ORIGIN, localSigner(privateKey), publicKey),
      verifiers: [parseVerifierKey(verifierKey(ORIGIN, publicKey))],
      salt: Buffer.from(config.salt, 'hex'),
    });
    const { size } = await log.verify();
    const entries = await log.entries(0, size);
    for (const [index, data] of acked) {
      assert.equal(entries[index]?.data, data, `acknowledged entry ${index} is lost or changed`);
    }
    return size;
  } finally {
    await store.close();
  }
}

describe('AuditLog crash safety (sqlite)', () => {
  it(`keeps every acknowledged entry and a valid log across ${ROUNDS} SIGKILLs`, async (t) => {
    const dir = tempDir();
    const options: StoreOptions = {
      kind: 'sqlite',
      file: path.join(dir, 'rampart.db'),
      busyTimeoutMs: 5000,
    };
    await (await openStore(options)).close();
    const keyFile = path.join(dir, 'checkpoint.key');
    await savePrivateKey(keyFile, generateKeyPair('ed25519').privateKey);
    const acked = new Map<number, string>();
    let size = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const config: CrashWorkerConfig = {
        store: options,
        keyFile,
        origin: ORIGIN,
        salt: 'a5'.repeat(32),
        time: '2030-01-02T03:04:05.000Z',
        appenders: 8,
        count: 0,
        tag: `r${round}`,
      };
      for (const [index, data] of acknowledged(await runAndKill(config, killDelayMs(round)))) {
        assert.ok(!acked.has(index), `index ${index} was acknowledged twice`);
        acked.set(index, data);
      }
      const next = await checkAfterCrash(options, config, acked);
      assert.ok(next >= size, `the log shrank from ${size} to ${next} entries`);
      size = next;
    }
    assert.ok(acked.size > 0, 'no append was acknowledged before a kill');
    t.diagnostic(`${acked.size} appends acknowledged, ${size} entries in the log`);
  });
});
