import { randomBytes } from 'node:crypto';
import { RampartError, type Digest } from '../core/index.js';
import { DATA_KEY_SIZE, type KekProvider } from './kek-provider.js';
import type { Executor } from './store.js';

/** One row of `blob_keys`: a blob's data key, wrapped by a key-encryption-key provider. */
export interface BlobKeyRow {
  readonly digest: string;
  readonly provider: string;
  readonly kek_id: string;
  readonly wrapped: string;
  [column: string]: unknown;
}

/** How many blob keys each key-encryption key wraps. */
export interface BlobKeyCount {
  readonly provider: string;
  readonly kekId: string;
  readonly count: number;
}

/** The context a blob's data key and its file are bound to. */
export function blobContext(digest: Digest): string {
  return `blob|${digest}`;
}

/** The row of a blob, if any. */
export async function findBlobKey(db: Executor, digest: Digest): Promise<BlobKeyRow | undefined> {
  const rows = await db.query<BlobKeyRow>(
    'SELECT digest, provider, kek_id, wrapped FROM blob_keys WHERE digest = ?',
    [digest],
  );
  return rows[0];
}

/**
 * The data key of a blob: the stored one, or a new random key inserted now. Two writers of the
 * same digest race on the primary key and both end up with the winner's key, so a blob file is
 * only ever written under the key its row holds. The caller must zero the key.
 * @throws RAMPART_DECRYPT_FAILED; RAMPART_ENCRYPTION_CONFIG_INVALID; provider and store errors
 */
export async function ensureBlobKey(
  db: Executor,
  provider: KekProvider,
  digest: Digest,
): Promise<Buffer> {
  const existing = await findBlobKey(db, digest);
  if (existing !== undefined) return unwrapBlobKey(provider, existing, digest);
  const dataKey = randomBytes(DATA_KEY_SIZE);
  const { kekId, wrapped } = await provider.wrap(dataKey, blobContext(digest));
  const { changes } = await db.run(
    'INSERT INTO blob_keys (digest, provider, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING',
    [digest, provider.name, kekId, wrapped, new Date().toISOString()],
  );
  if (changes === 1) return dataKey;
  dataKey.fill(0);
  const winner = await findBlobKey(db, digest);
  if (winner === undefined) {
    throw new RampartError('RAMPART_INTERNAL', `the key row of ${digest} vanished while stored`);
  }
  return unwrapBlobKey(provider, winner, digest);
}

/**
 * Unwraps a row's data key (bound to the blob's digest).
 * @throws RAMPART_ENCRYPTION_CONFIG_INVALID when another provider wrapped it;
 * RAMPART_DECRYPT_FAILED
 */
export async function unwrapBlobKey(
  provider: KekProvider,
  row: BlobKeyRow,
  digest: Digest,
): Promise<Buffer> {
  checkProvider(provider, row);
  return provider.unwrap(row.wrapped, row.kek_id, blobContext(digest));
}

/**
 * Re-wraps every blob key not yet under the provider's primary key version, in pages of
 * `pageSize` rows; an interrupted run can simply be repeated. Blob files never change.
 * @throws RAMPART_ENCRYPTION_CONFIG_INVALID; RAMPART_DECRYPT_FAILED; provider and store errors
 */
export async function rewrapBlobKeys(
  db: Executor,
  provider: KekProvider,
  pageSize = 200,
): Promise<{ rewrapped: number; unchanged: number }> {
  const primary = await provider.primaryId();
  let rewrapped = 0;
  let unchanged = 0;
  let after = '';
  for (;;) {
    const page = await db.query<BlobKeyRow>(
      'SELECT digest, provider, kek_id, wrapped FROM blob_keys WHERE digest > ? ORDER BY digest LIMIT ?',
      [after, pageSize],
    );
    for (const row of page) {
      checkProvider(provider, row);
      if (row.kek_id === primary) {
        unchanged += 1;
        continue;
      }
      const next = await provider.rewrap(row.wrapped, row.kek_id, `blob|${row.digest}`);
      // Compare-and-set: a row changed meanwhile by another rotation is left to that one.
      const { changes } = await db.run(
        'UPDATE blob_keys SET kek_id = ?, wrapped = ?, rewrapped_at = ? WHERE digest = ? AND wrapped = ?',
        [next.kekId, next.wrapped, new Date().toISOString(), row.digest, row.wrapped],
      );
      if (changes === 1) rewrapped += 1;
      else unchanged += 1;
    }
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return { rewrapped, unchanged };
    after = last.digest;
  }
}

/** Blob keys per provider and key-encryption key, largest first. */
export async function countBlobKeys(db: Executor): Promise<BlobKeyCount[]> {
  const rows = await db.query<{ provider: string; kek_id: string; n: number }>(
    'SELECT provider, kek_id, CAST(COUNT(*) AS INTEGER) AS n FROM blob_keys GROUP BY provider, kek_id ORDER BY n DESC, kek_id',
  );
  return rows.map((row) => ({ provider: row.provider, kekId: row.kek_id, count: row.n }));
}

function checkProvider(provider: KekProvider, row: BlobKeyRow): void {
  if (row.provider !== provider.name) {
    throw new RampartError(
      'RAMPART_ENCRYPTION_CONFIG_INVALID',
      `the key of ${row.digest} was wrapped by the ${row.provider} provider, but encryption.provider is ${provider.name}`,
      {
        hint: `Set encryption.provider back to ${row.provider}; moving blob keys between providers is not supported.`,
        details: { digest: row.digest, provider: row.provider },
      },
    );
  }
}
