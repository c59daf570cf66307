import { writeFileAtomic } from '../atomic-write.js';
import { RampartError } from '../errors.js';
import { readSmallFile } from '../files.js';
import { keyFileError } from '../keys.js';
import { Kek } from './kek.js';
import { Keyring } from './keyring.js';

/** The `type` field of a key-encryption-key file. */
export const KEK_FILE_TYPE = 'rampart-kek';
/** The `version` field this code reads and writes. */
export const KEK_FILE_VERSION = 1;

// A KEK file is about 120 bytes; anything much larger is not one, so it is never read whole.
const MAX_KEK_FILE_SIZE = 1024;
const FIELDS = ['type', 'version', 'id', 'key'];
const KEY_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
const INVALID_HINT =
  'A key-encryption-key file is one line of JSON written by Rampart; restore it from a backup.';

/**
 * The file text for a key: one line of JSON,
 * `{"type":"rampart-kek","version":1,"id":"<16 hex>","key":"<base64 of 32 bytes>"}` and a newline.
 */
export function formatKekFile(kek: Kek): string {
  const bytes = kek.exportBytes();
  const key = bytes.toString('base64');
  bytes.fill(0);
  return `${JSON.stringify({ type: KEK_FILE_TYPE, version: KEK_FILE_VERSION, id: kek.id, key })}\n`;
}

/**
 * Parses key-file text; `where` names its origin in errors. The stored id must match the key.
 * @throws RAMPART_KEY_INVALID when the text is not a version-1 key file or the id does not match.
 */
export function parseKekFile(text: string, where: string): Kek {
  const invalid = (reason: string): RampartError =>
    new RampartError('RAMPART_KEY_INVALID', `${where}: ${reason}`, {
      hint: INVALID_HINT,
      details: { path: where },
    });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the input, which holds the key, so it is not kept as cause.
    throw invalid('not a key-encryption-key file (not JSON)');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('not a key-encryption-key file (not a JSON object)');
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  if (keys.join() !== [...FIELDS].sort().join() || record.type !== KEK_FILE_TYPE) {
    throw invalid(`not a key-encryption-key file (expected fields ${FIELDS.join(', ')})`);
  }
  if (record.version !== KEK_FILE_VERSION) throw invalid('unsupported key file version');
  if (typeof record.key !== 'string' || !KEY_BASE64.test(record.key)) {
    throw invalid('the key is not 32 bytes of base64');
  }
  const bytes = Buffer.from(record.key, 'base64');
  const kek = Kek.fromBytes(bytes);
  bytes.fill(0);
  if (record.id !== kek.id) throw invalid('the stored id does not match the key (file corrupted)');
  return kek;
}

/**
 * Writes a key to a new file with mode 0600 (temporary file, fsync, then link into place).
 * @throws RAMPART_STORE_CONFLICT when the file exists (keys are never overwritten); file errors.
 */
export async function saveKek(path: string, kek: Kek): Promise<void> {
  await writeFileAtomic(path, formatKekFile(kek), { mode: 0o600, exclusive: true });
}

/**
 * Reads a key written by {@link saveKek}.
 * @throws RAMPART_KEY_NOT_FOUND when the file does not exist; RAMPART_KEY_INVALID when it is not
 * a regular file, too large, malformed or has a wrong-length key; RAMPART_FILE_UNREADABLE.
 */
export async function loadKek(path: string): Promise<Kek> {
  let bytes: Buffer;
  try {
    bytes = await readSmallFile(path, MAX_KEK_FILE_SIZE);
  } catch (error) {
    throw keyFileError(error, path);
  }
  return parseKekFile(bytes.toString('utf8'), path);
}

/**
 * Loads a keyring: the first path is the primary key, the others decrypt only.
 * @throws the errors of {@link loadKek}; RAMPART_KEY_NOT_FOUND when `paths` is empty.
 */
export async function loadKeyring(paths: readonly string[]): Promise<Keyring> {
  const [primary, ...older] = await Promise.all(paths.map((path) => loadKek(path)));
  if (primary === undefined) {
    throw new RampartError('RAMPART_KEY_NOT_FOUND', 'no key-encryption-key file was given', {
      hint: 'Name at least one key-encryption-key file; the first one encrypts.',
    });
  }
  return new Keyring(primary, older);
}
