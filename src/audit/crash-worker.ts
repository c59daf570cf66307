// A child process for the audit log's crash and multi-process tests (not part of the public API):
//   node crash-worker.js <CrashWorkerConfig JSON>
// It prints "ready" once the log is open, then appends from `appenders` concurrent loops
// (`count` appends each, or until killed when 0) and prints one line per acknowledged append,
// "<index>\t<leaf data>". Lines are written synchronously, so nothing acknowledged is still in
// a buffer when the process is killed.
import { createPublicKey } from 'node:crypto';
import { writeSync } from 'node:fs';
import { loadPrivateKey, localSigner } from '../core/index.js';
import { openStore, type StoreOptions } from '../store/index.js';
import { noteSigner } from './checkpoint/note.js';
import { parseVerifierKey, verifierKey } from './checkpoint/vkey.js';
import { toLeaf, type AuditEventInput } from './event.js';
import { AuditLog } from './log.js';

/** What the worker is told to do. */
export interface CrashWorkerConfig {
  readonly store: StoreOptions;
  /** PEM file of the Ed25519 checkpoint key. */
  readonly keyFile: string;
  readonly origin: string;
  /** The audit salt, hex. */
  readonly salt: string;
  /** The fixed event time (ISO 8601), so that the parent can compare leaf data exactly. */
  readonly time: string;
  readonly appenders: number;
  /** Appends per appender; 0 appends until the process is killed. */
  readonly count: number;
  /** Tells this worker's events apart from the parent's and other workers'. */
  readonly tag: string;
}

function workerEvent(tag: string, appender: number, i: number): AuditEventInput {
  return {
    actor: { subject: `worker-${tag}-${appender}`, type: 'service', source: '198.51.100.7' },
    action: 'dataset.write',
    resource: { type: 'dataset', id: `ds-${appender}-${i}` },
    decision: { allowed: i % 3 !== 0 },
    correlationId: `${tag}-${appender}-${i}`,
  };
}

async function appender(log: AuditLog, config: CrashWorkerConfig, id: number): Promise<void> {
  const salt = Buffer.from(config.salt, 'hex');
  for (let i = 0; config.count === 0 || i < config.count; i++) {
    const input = workerEvent(config.tag, id, i);
    const { index } = await log.append(input);
    const data = toLeaf(input, new Date(config.time), salt).bytes.toString('utf8');
    writeSync(1, `${index}\t${data}\n`);
  }
}

async function main(config: CrashWorkerConfig): Promise<void> {
  const store = await openStore({ ...config.store, migrate: false });
  try {
    const privateKey = await loadPrivateKey(config.keyFile);
    const publicKey = createPublicKey(privateKey);
    const log = new AuditLog({
      store,
      origin: config.origin,
      signer: noteSigner(config.origin, localSigner(privateKey), publicKey),
      verifiers: [parseVerifierKey(verifierKey(config.origin, publicKey))],
      salt: Buffer.from(config.salt, 'hex'),
      now: () => new Date(config.time),
    });
    writeSync(1, 'ready\n');
    await Promise.all(
      Array.from({ length: config.appenders }, (_, id) => appender(log, config, id)),
    );
  } finally {
    await store.close();
  }
}

await main(JSON.parse(process.argv[2] ?? '{}') as CrashWorkerConfig);
