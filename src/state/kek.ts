import type { Config } from '../config/index.js';
import { RampartError } from '../core/index.js';
import { LocalKekProvider, VaultTransitProvider, type KekProvider } from '../store/index.js';
import type { HomeLayout } from './layout.js';

/**
 * The key-encryption-key provider the configuration names: the key files in `keys/` (local) or
 * a Vault Transit key, whose token is read from the variable `encryption.vault.tokenEnv` names.
 * A missing token is reported when the provider is first used, so commands that never touch
 * encrypted blobs keep working without one.
 * @throws RAMPART_ENCRYPTION_CONFIG_INVALID when provider is vault but encryption.vault is unset
 */
export function kekProvider(
  config: Config,
  layout: HomeLayout,
  env: Readonly<Record<string, string | undefined>>,
): KekProvider {
  if (config.encryption.provider === 'local') return new LocalKekProvider(layout.keys);
  const vault = config.encryption.vault;
  if (vault === null) {
    throw new RampartError(
      'RAMPART_ENCRYPTION_CONFIG_INVALID',
      'encryption.provider is vault but encryption.vault is not configured',
      {
        hint: 'Add encryption.vault.address (and key, mount) to rampart.yaml; see docs/encryption.md.',
      },
    );
  }
  return new VaultTransitProvider({ ...vault, token: env[vault.tokenEnv] });
}
