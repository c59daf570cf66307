/**
 * Strict text helpers shared by signed notes, verifier keys and checkpoints: these parse
 * untrusted input, so they accept one spelling only.
 */
import { RampartError } from '../../core/index.js';

// Unicode control characters other than newline, and lone surrogates (not valid UTF-8).
const BAD_TEXT = /[^\P{Cc}\n]|[\ud800-\udfff]/u;
// Key names: non-empty, no Unicode spaces, no '+', no control characters (C2SP signed-note).
const KEY_NAME = /^[^\s+\p{Cc}]+$/u;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A coded error for malformed checkpoint, note or key text (the input is never echoed in full). */
export function malformed(message: string, details: Record<string, unknown> = {}): RampartError {
  return new RampartError('RAMPART_CHECKPOINT_MALFORMED', message, { details });
}

/** The bytes of `base64`, or undefined unless it is canonical standard base64 (RFC 4648 §4). */
export function decodeBase64(base64: string): Buffer | undefined {
  if (!BASE64.test(base64)) return undefined;
  const bytes = Buffer.from(base64, 'base64');
  // Non-zero padding bits decode but would give a second spelling of the same bytes.
  return bytes.toString('base64') === base64 ? bytes : undefined;
}

/** True when `name` is a valid signed-note key name. */
export function isKeyName(name: string): boolean {
  return KEY_NAME.test(name);
}

/**
 * Checks note text: no control characters but newline, no lone surrogates, ends with newline.
 * @throws RAMPART_CHECKPOINT_MALFORMED otherwise.
 */
export function checkNoteText(what: string, text: string): void {
  const bad = BAD_TEXT.exec(text);
  if (bad !== null) {
    throw malformed(`${what} has a control character or invalid UTF-8 at offset ${bad.index}`, {
      offset: bad.index,
    });
  }
  if (!text.endsWith('\n')) throw malformed(`${what} does not end with a newline`);
}
