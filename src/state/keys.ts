import {
  generateKek,
  generateKeyPair,
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
    if (await pathExists(privatePath)) {
      await checkPrivateKey(privatePath, algorithm);
      continue;
    }
    const pair = generateKeyPair(algorithm);
    await savePrivateKey(privatePath, pair.privateKey);
    created.push(privatePath);
    if (!(await pathExists(publicPath))) {
      await savePublicKey(publicPath, pair.publicKey);
      created.push(publicPath);
    }
  }
  if (await pathExists(layout.kek)) {
    await loadKek(layout.kek);
  } else {
    await saveKek(layout.kek, generateKek());
    created.push(layout.kek);
  }
  return created;
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
