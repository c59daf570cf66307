/**
 * C2SP tlog-checkpoint bodies (`<origin>\n<size>\n<base64 root>\n[extension lines]`) and
 * signed checkpoints (a checkpoint as the text of a signed note).
 */
import { RampartError } from '../../core/index.js';
import { HASH_SIZE } from '../merkle/hash.js';
import { openNote, signNote } from './note.js';
import type { NoteKey, NoteSigner } from './note.js';
import { checkNoteText, decodeBase64, malformed } from './text.js';
import type { NoteVerifier } from './vkey.js';

/** Largest checkpoint body accepted, in UTF-8 bytes. */
export const MAX_CHECKPOINT_BYTES = 8 * 1024;
/** Most extension lines accepted after the root line. */
export const MAX_EXTENSION_LINES = 16;

/** A log's commitment to its first `size` entries. */
export interface Checkpoint {
  /** Names the log, e.g. `rampart.example/audit/prod`. */
  readonly origin: string;
  readonly size: number;
  /** The 32-byte Merkle root. */
  readonly root: Buffer;
  readonly extensions: readonly string[];
}

/** A checkpoint whose note signatures verified. */
export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly text: string;
  readonly verified: readonly NoteKey[];
}

/**
 * The checkpoint body text.
 * @throws RAMPART_CHECKPOINT_MALFORMED when the result would not parse back to `checkpoint`.
 */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const lines = [
    checkpoint.origin,
    String(checkpoint.size),
    checkpoint.root.toString('base64'),
    ...checkpoint.extensions,
  ];
  const text = `${lines.join('\n')}\n`;
  // Parsing our own output is the cheapest way to apply exactly the same rules both ways.
  parseCheckpoint(text);
  return text;
}

/**
 * Parses a checkpoint body strictly: non-empty origin, decimal size without leading zeros,
 * canonical base64 of a 32-byte root, non-empty extension lines, size limits.
 * @throws RAMPART_CHECKPOINT_MALFORMED; RAMPART_LIMIT_EXCEEDED for an over-long body.
 */
export function parseCheckpoint(text: string): Checkpoint {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CHECKPOINT_BYTES) {
    throw new RampartError(
      'RAMPART_LIMIT_EXCEEDED',
      `checkpoint is ${bytes} bytes, over the limit of ${MAX_CHECKPOINT_BYTES}`,
    );
  }
  checkNoteText('checkpoint', text);
  const [origin, sizeText, rootText, ...extensions] = text.slice(0, -1).split('\n');
  if (origin === undefined || origin === '' || sizeText === undefined || rootText === undefined) {
    throw malformed('checkpoint needs an origin line, a size line and a root line');
  }
  if (!/^(?:0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw malformed(`checkpoint size ${JSON.stringify(sizeText.slice(0, 20))} is not a decimal`);
  }
  const root = decodeBase64(rootText);
  if (root?.length !== HASH_SIZE) {
    throw malformed(`checkpoint root is not the base64 of ${HASH_SIZE} bytes`);
  }
  if (extensions.length > MAX_EXTENSION_LINES || extensions.includes('')) {
    throw malformed(`checkpoint has an empty line or over ${MAX_EXTENSION_LINES} extension lines`);
  }
  return Object.freeze({
    origin,
    size: Number(sizeText),
    root,
    extensions: Object.freeze(extensions),
  });
}

/**
 * Formats and signs a checkpoint as a signed note.
 * @throws RAMPART_CHECKPOINT_MALFORMED for a bad checkpoint or signer name.
 */
export function signCheckpoint(
  checkpoint: Checkpoint,
  signers: readonly NoteSigner[],
): Promise<string> {
  return signNote(formatCheckpoint(checkpoint), signers);
}

/**
 * Opens a signed checkpoint of the log `origin`: signatures as in openNote, then the body.
 * @throws RAMPART_CHECKPOINT_MALFORMED, RAMPART_LIMIT_EXCEEDED, RAMPART_SIGNATURE_INVALID;
 * RAMPART_CHECKPOINT_INVALID when the checkpoint names another origin.
 */
export function openCheckpoint(
  note: string,
  verifiers: readonly NoteVerifier[],
  origin: string,
): OpenedCheckpoint {
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== origin) {
    throw new RampartError(
      'RAMPART_CHECKPOINT_INVALID',
      `checkpoint is for log ${JSON.stringify(checkpoint.origin.slice(0, 200))}, not ${JSON.stringify(origin)}`,
      { details: { origin: checkpoint.origin.slice(0, 200), expected: origin } },
    );
  }
  return { checkpoint, text: opened.text, verified: opened.verified };
}
