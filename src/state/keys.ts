import { stat } from 'node:fs/promises';
import {
  generateKek,
  generateKeyPair,
  saveKek,
  savePrivateKey,
  savePublicKey,
  type KeyAlgorithm,
} from '../core/index.js';
import type { HomeLayout } from './layout.js';

/**
 * Creates the signing key, the checkpoint key and the key-encryption key when missing.
 * Existing keys are never replaced. Returns the paths it created.
 */
export async function ensureKeys(layout: HomeLayout): Promise<string[]> {
  const created: string[] = [];
  const pairs: [string, string, KeyAlgorithm][] = [
    [layout.signingKey, layout.signingPublicKey, 'ecdsa-p256'],
    [layout.checkpointKey, layout.checkpointPublicKey, 'ed25519'],
  ];
  for (const [privatePath, publicPath, algorithm] of pairs) {
    if (await exists(privatePath)) continue;
    const pair = generateKeyPair(algorithm);
    await savePrivateKey(privatePath, pair.privateKey);
    created.push(privatePath);
    if (!(await exists(publicPath))) {
      await savePublicKey(publicPath, pair.publicKey);
      created.push(publicPath);
    }
  }
  if (!(await exists(layout.kek))) {
    await saveKek(layout.kek, generateKek());
    created.push(layout.kek);
  }
  return created;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
