/**
 * A witness: remembers the last checkpoint it accepted from a log and accepts a new one only
 * when it is signed by the pinned key and provably extends the old one (no rollback, no fork).
 */
import * as z from 'zod';
import { RampartError, readTextIfExists, writeFileAtomic } from '../core/index.js';
import { openCheckpoint, type Checkpoint } from './checkpoint/checkpoint.js';
import { MAX_NOTE_BYTES } from './checkpoint/note.js';
import { parseVerifierKey } from './checkpoint/vkey.js';
import type { AuditLog, AuditProof } from './log.js';
import { verifyConsistency } from './merkle/verify.js';

/** A log's latest signed checkpoint and the verifier key it claims. */
export interface SignedCheckpoint {
  readonly checkpoint: string;
  readonly verifierKey: string;
}

/** Where a witness reads a log from: the local store, or a remote control plane. */
export interface WitnessSource {
  /** The latest signed checkpoint. @throws RAMPART_AUDIT_NOT_FOUND for an empty log. */
  latest(): Promise<SignedCheckpoint>;
  /** The consistency proof from `from` entries to `to` entries. */
  consistency(from: number, to: number): Promise<AuditProof>;
}

/** The witness state file: the pinned log identity and the last accepted checkpoint. */
export interface WitnessState {
  readonly origin: string;
  readonly verifierKey: string;
  readonly checkpoint: string;
}

/** What one witness run decided. */
export interface WitnessReport {
  /** `first`: nothing was pinned yet; `unchanged`: same tree; `extended`: proven growth. */
  readonly status: 'first' | 'unchanged' | 'extended';
  readonly origin: string;
  readonly verifierKey: string;
  readonly size: number;
  /** Base64 root of the accepted tree. */
  readonly root: string;
  readonly previousSize: number | null;
}

const stateSchema = z.strictObject({
  origin: z.string().min(1).max(1024),
  verifierKey: z.string().min(1).max(1024),
  checkpoint: z.string().min(1).max(MAX_NOTE_BYTES),
});

/** A witness source over a local log; `verifierKey` is the one openAuditLog returned. */
export function localWitnessSource(log: AuditLog, verifierKey: string): WitnessSource {
  return {
    async latest() {
      const checkpoint = await log.checkpoint();
      if (checkpoint === null) throw emptyLog(log.origin);
      return { checkpoint, verifierKey };
    },
    consistency: (from, to) => log.consistency(from, to),
  };
}

/**
 * Checks the source's latest checkpoint against the state file and, when it is acceptable,
 * stores it there atomically. The first checkpoint seen pins the origin and verifier key.
 * @throws RAMPART_AUDIT_FORK for a rollback, a fork or a failed consistency proof;
 * RAMPART_CHECKPOINT_INVALID when the log's key or origin changed; RAMPART_SIGNATURE_INVALID
 * for a checkpoint not signed by the pinned key; RAMPART_CHECKPOINT_MALFORMED for a bad state
 * file; file and source errors.
 */
export async function witnessCheckpoint(
  source: WitnessSource,
  stateFile: string,
): Promise<WitnessReport> {
  const previous = await readWitnessState(stateFile);
  const latest = await source.latest();
  if (previous !== null && latest.verifierKey !== previous.verifierKey) {
    throw new RampartError(
      'RAMPART_CHECKPOINT_INVALID',
      `the log's verifier key is not the one pinned in ${stateFile}`,
      { details: { stateFile, pinned: previous.verifierKey, offered: latest.verifierKey } },
    );
  }
  const verifierKey = previous?.verifierKey ?? latest.verifierKey;
  const verifier = parseVerifierKey(verifierKey);
  const origin = previous?.origin ?? verifier.name;
  const old =
    previous === null ? null : openCheckpoint(previous.checkpoint, [verifier], origin).checkpoint;
  const next = openCheckpoint(latest.checkpoint, [verifier], origin).checkpoint;
  const status = await compare(source, old, next);
  if (status !== 'unchanged') {
    const state: WitnessState = { origin, verifierKey, checkpoint: latest.checkpoint };
    await writeFileAtomic(stateFile, `${JSON.stringify(state, null, 2)}\n`, {
      mode: 0o644,
      exclusive: false,
    });
  }
  return {
    status,
    origin,
    verifierKey,
    size: next.size,
    root: next.root.toString('base64'),
    previousSize: old?.size ?? null,
  };
}

/**
 * Reads a witness state file; null when it does not exist yet.
 * @throws RAMPART_CHECKPOINT_MALFORMED for a file that is not a witness state; file errors.
 */
export async function readWitnessState(file: string): Promise<WitnessState | null> {
  const text = await readTextIfExists(file);
  if (text === null) return null;
  let parsed: ReturnType<typeof stateSchema.safeParse>;
  try {
    parsed = stateSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = stateSchema.safeParse(undefined);
  }
  if (!parsed.success) {
    throw new RampartError(
      'RAMPART_CHECKPOINT_MALFORMED',
      `${file} is not a witness state file ({origin, verifierKey, checkpoint})`,
      { details: { path: file }, hint: 'Restore the file, or remove it to trust the log anew.' },
    );
  }
  return parsed.data;
}

async function compare(
  source: WitnessSource,
  old: Checkpoint | null,
  next: Checkpoint,
): Promise<WitnessReport['status']> {
  if (old === null) return 'first';
  const details = { previousSize: old.size, size: next.size };
  if (next.size < old.size) {
    throw fork(`rollback: the log shrank from ${old.size} to ${next.size} entries`, details);
  }
  if (next.size === old.size) {
    if (next.root.equals(old.root)) return 'unchanged';
    throw fork(`fork: two different trees of size ${next.size}`, details);
  }
  if (old.size === 0) return 'extended';
  const proof = await source.consistency(old.size, next.size);
  if (proof.size !== next.size || proof.root !== next.root.toString('base64')) {
    throw fork(`the consistency proof is not for the checkpoint of size ${next.size}`, details);
  }
  try {
    verifyConsistency(old.size, next.size, old.root, next.root, decode(proof.proof));
  } catch (error) {
    throw fork(
      `fork: the tree of size ${next.size} does not extend the accepted tree of size ${old.size}`,
      details,
      error,
    );
  }
  return 'extended';
}

function decode(proof: readonly string[]): Buffer[] {
  return proof.map((hash) => Buffer.from(hash, 'base64'));
}

function fork(message: string, details: Record<string, unknown>, cause?: unknown): RampartError {
  return new RampartError('RAMPART_AUDIT_FORK', message, {
    details,
    ...(cause === undefined ? {} : { cause }),
  });
}

function emptyLog(origin: string): RampartError {
  return new RampartError('RAMPART_AUDIT_NOT_FOUND', `the log ${origin} has no checkpoint yet`, {
    details: { origin },
  });
}
