/**
 * C2SP signed notes: text, a blank line, then one line `— <key name> <base64(key hash ‖ sig)>`
 * per signature. Only Ed25519 (type 0x01) is produced and checked.
 */
import { RampartError, keyId, toPublicKey } from '../../core/index.js';
import type { PublicKeyLike, Signer } from '../../core/index.js';
import { checkNoteText, decodeBase64, malformed } from './text.js';
import { checkKeyName, ed25519Raw, noteKeyHash } from './vkey.js';
import type { NoteVerifier } from './vkey.js';

/** Largest note accepted or produced, in UTF-8 bytes (checkpoints need a few hundred). */
export const MAX_NOTE_BYTES = 64 * 1024;
/** Most signature lines accepted; the spec asks verifiers to accept at least 16. */
export const MAX_NOTE_SIGNATURES = 100;
const PREFIX = '\u2014 ';

/** Signs notes under a key name. */
export interface NoteSigner {
  readonly name: string;
  /** The key hash as an unsigned 32-bit integer. */
  readonly keyHash: number;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** Who signed a note: a key name and key hash. */
export interface NoteKey {
  readonly name: string;
  readonly keyHash: number;
}

/** A note whose signatures checked out. */
export interface OpenedNote {
  /** The signed text, ending with a newline. */
  readonly text: string;
  /** The known keys whose signatures verified, in note order (at least one). */
  readonly verified: readonly NoteKey[];
  /** Signatures by keys not among the verifiers, ignored. */
  readonly unknown: readonly NoteKey[];
}

/**
 * A NoteSigner for `name` from a core Signer (local key, later a KMS) and its public key.
 * @throws RAMPART_CHECKPOINT_MALFORMED for a bad name; RAMPART_KEY_UNSUPPORTED unless Ed25519;
 * RAMPART_KEY_INVALID when the public key is not the signer's.
 */
export function noteSigner(name: string, signer: Signer, publicKey: PublicKeyLike): NoteSigner {
  checkKeyName(name);
  const raw = ed25519Raw(publicKey);
  if (signer.algorithm !== 'ed25519' || signer.keyId !== keyId(toPublicKey(publicKey))) {
    throw new RampartError('RAMPART_KEY_INVALID', `note signer ${name}: key does not match signer`);
  }
  return Object.freeze({
    name,
    keyHash: noteKeyHash(name, raw),
    sign: (message: Uint8Array) => signer.sign(message),
  });
}

function checkSize(what: string, text: string): void {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_NOTE_BYTES) {
    throw new RampartError(
      'RAMPART_LIMIT_EXCEEDED',
      `${what} is ${bytes} bytes, over the limit of ${MAX_NOTE_BYTES}`,
      { details: { bytes, limit: MAX_NOTE_BYTES } },
    );
  }
}

/**
 * Signs `text` (UTF-8, ending with a newline) with every signer and returns the note.
 * @throws RAMPART_CHECKPOINT_MALFORMED for bad text, no signers or a bad signer name or key
 * hash; RAMPART_LIMIT_EXCEEDED.
 */
export async function signNote(text: string, signers: readonly NoteSigner[]): Promise<string> {
  checkNoteText('note text', text);
  if (signers.length === 0) throw malformed('a note needs at least one signer');
  const message = Buffer.from(text, 'utf8');
  const lines: string[] = [];
  for (const signer of signers) {
    checkKeyName(signer.name);
    if (!Number.isInteger(signer.keyHash) || signer.keyHash < 0 || signer.keyHash > 0xffffffff) {
      throw malformed(`note signer ${signer.name} has a key hash that is not a uint32`);
    }
    const head = Buffer.alloc(4);
    head.writeUInt32BE(signer.keyHash);
    const signature = await signer.sign(message);
    lines.push(`${PREFIX}${signer.name} ${Buffer.concat([head, signature]).toString('base64')}\n`);
  }
  const note = `${text}\n${lines.join('')}`;
  checkSize('signed note', note);
  return note;
}

interface SignatureLine extends NoteKey {
  readonly signature: Buffer;
}

function parseSignatureLine(line: string, number: number): SignatureLine {
  const parts = line.startsWith(PREFIX) ? line.slice(PREFIX.length).split(' ') : [];
  const [name, base64] = parts;
  const bytes = base64 === undefined ? undefined : decodeBase64(base64);
  if (parts.length !== 2 || name === undefined || bytes === undefined || bytes.length < 5) {
    throw malformed(`signature line ${number} is not "— <key name> <base64>"`, { line: number });
  }
  checkKeyName(name);
  return { name, keyHash: bytes.readUInt32BE(0), signature: bytes.subarray(4) };
}

/** Splits a note into its text and parsed signature lines, strictly. */
function splitNote(note: string): { text: string; lines: SignatureLine[] } {
  checkSize('signed note', note);
  checkNoteText('signed note', note);
  const blank = note.lastIndexOf('\n\n');
  if (blank < 0) throw malformed('signed note has no blank line before its signatures');
  const raw = note.slice(blank + 2, -1);
  if (raw === '') throw malformed('signed note has no signature lines');
  const texts = raw.split('\n');
  if (texts.length > MAX_NOTE_SIGNATURES) {
    throw new RampartError(
      'RAMPART_LIMIT_EXCEEDED',
      `signed note has ${texts.length} signatures, over the limit of ${MAX_NOTE_SIGNATURES}`,
    );
  }
  const lines = texts.map((line, i) => parseSignatureLine(line, i + 1));
  const seen = new Set<string>();
  for (const { name, keyHash } of lines) {
    const id = `${name}+${keyHash}`;
    if (seen.has(id)) throw malformed(`signed note has two signatures by ${name}`, { name });
    seen.add(id);
  }
  return { text: note.slice(0, blank + 1), lines };
}

/**
 * Parses a signed note and checks its signatures against `verifiers`. Signatures by unknown
 * keys are ignored; a bad signature by a known key rejects the whole note.
 * @throws RAMPART_CHECKPOINT_MALFORMED, RAMPART_LIMIT_EXCEEDED for bad syntax or size;
 * RAMPART_SIGNATURE_INVALID when a known key's signature fails or no known key signed.
 */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  const { text, lines } = splitNote(note);
  const byId = new Map(verifiers.map((v) => [`${v.name}+${v.keyHash}`, v]));
  const message = Buffer.from(text, 'utf8');
  const verified: NoteKey[] = [];
  const unknown: NoteKey[] = [];
  for (const { name, keyHash, signature } of lines) {
    const verifier = byId.get(`${name}+${keyHash}`);
    if (verifier === undefined) {
      unknown.push({ name, keyHash });
    } else if (verifier.verify(message, signature)) {
      verified.push({ name, keyHash });
    } else {
      throw new RampartError('RAMPART_SIGNATURE_INVALID', `note signature by ${name} is invalid`, {
        details: { name },
      });
    }
  }
  if (verified.length === 0) {
    throw new RampartError('RAMPART_SIGNATURE_INVALID', 'note has no signature by a known key', {
      details: { signers: unknown.map((k) => k.name) },
    });
  }
  return { text, verified, unknown };
}
