import {
  generateKek,
  generateKeyPair,
  isRampartError,
  keyAlgorithm,
  loadKek,
  loadPrivateKey,
  pathExists,
  RampartError,
  saveKek,
  savePrivateKey,
  savePublicKey,
  type KeyAlgorithm,
} from '../core/index.js';
import type { HomeLayout } from './layout.js';

/**
 * Creates the signing key, the checkpoint key and the key-encryption key when missing, and
 * checks the ones that exist (readable, well-formed, of the right algorithm). Existing keys are
 * never replaced. Returns the paths it created.
 * @throws RAMPART_KEY_INVALID / RAMPART_KEY_UNSUPPORTED for a damaged or wrong existing key.
 */
export async function ensureKeys(layout: HomeLayout): Promise<string[]> {
  const created: string[] = [];
  const pairs: [string, string, KeyAlgorithm][] = [
    [layout.signingKey, layout.signingPublicKey, 'ecdsa-p256'],
    [layout.checkpointKey, layout.checkpointPublicKey, 'ed25519'],
  ];
  for (const [privatePath, publicPath, algorithm] of pairs) {
    const pair = (await pathExists(privatePath)) ? undefined : generateKeyPair(algorithm);
    if (
      pair !== undefined &&
      (await createOnce(() => savePrivateKey(privatePath, pair.privateKey)))
    ) {
      // A new private key always gets its own public key, replacing any stale one.
      await savePublicKey(publicPath, pair.publicKey);
      created.push(privatePath, publicPath);
    } else {
      await checkPrivateKey(privatePath, algorithm);
    }
  }
  const kekIsNew =
    !(await pathExists(layout.kek)) && (await createOnce(() => saveKek(layout.kek, generateKek())));
  if (kekIsNew) created.push(layout.kek);
  else await loadKek(layout.kek);
  return created;
}

/**
 * Runs an exclusive create; false when the file appeared meanwhile (another process starting on
 * the same state folder created it first), so both starts can go on with the same file.
 */
export async function createOnce(write: () => Promise<void>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isRampartError(error, 'RAMPART_STORE_CONFLICT')) return false;
    throw error;
  }
}

async function checkPrivateKey(file: string, expected: KeyAlgorithm): Promise<void> {
  const actual = keyAlgorithm(await loadPrivateKey(file));
  if (actual !== expected) {
    throw new RampartError(
      'RAMPART_KEY_INVALID',
      `${file} is an ${actual} key; expected ${expected}`,
      {
        hint: 'Restore the original key from a backup; keys in the state folder are never replaced.',
        details: { path: file },
      },
    );
  }
}
