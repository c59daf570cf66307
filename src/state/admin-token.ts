import { createHash, randomBytes } from 'node:crypto';
import { RampartError, readTextIfExists, writeFileAtomic } from '../core/index.js';
import { getMeta, setMeta, type Executor } from '../store/index.js';
import { createOnce } from './keys.js';
import type { HomeLayout } from './layout.js';

/** The rampart_meta key holding the admin token's SHA-256 (hex). */
export const ADMIN_TOKEN_META_KEY = 'admin_token_sha256';

/** Admin tokens look like `rmp_<43 base64url characters>` (256 random bits). */
const TOKEN_PATTERN = /^rmp_[A-Za-z0-9_-]{43}$/;

/**
 * Makes sure admin.token exists (0600) and the database holds its hash; the token itself is
 * never stored in the database or logged. Returns the paths it created.
 * @throws RAMPART_HOME_INVALID when admin.token exists but is not a Rampart token.
 */
export async function ensureAdminToken(layout: HomeLayout, store: Executor): Promise<string[]> {
  let token = await readToken(layout.adminToken);
  const created: string[] = [];
  if (token === null) {
    const fresh = `rmp_${randomBytes(32).toString('base64url')}`;
    const write = () =>
      writeFileAtomic(layout.adminToken, `${fresh}\n`, { mode: 0o600, exclusive: true });
    if (await createOnce(write)) created.push(layout.adminToken);
    token = (await readToken(layout.adminToken)) ?? fresh;
  }
  const hash = hashToken(token);
  if ((await getMeta(store, ADMIN_TOKEN_META_KEY)) !== hash) {
    await setMeta(store, ADMIN_TOKEN_META_KEY, hash);
  }
  return created;
}

/** SHA-256 (hex) of a token, the form in which tokens are stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

async function readToken(file: string): Promise<string | null> {
  const text = await readTextIfExists(file);
  if (text === null) return null;
  const token = text.trim();
  if (!TOKEN_PATTERN.test(token)) {
    throw new RampartError('RAMPART_HOME_INVALID', `${file} does not hold a Rampart admin token`, {
      hint: 'Delete admin.token and run `rampart init` to issue a new one.',
      details: { path: file },
    });
  }
  return token;
}
