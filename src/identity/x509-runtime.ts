/**
 * Loads @peculiar/x509 on first use. It resolves its algorithms through tsyringe, which needs
 * the `reflect-metadata` polyfill; both are loaded only when a certificate is actually made
 * (not whenever the identity layer is imported).
 */
import type * as X509 from '@peculiar/x509';

let loaded: Promise<typeof X509> | undefined;

/** The @peculiar/x509 module, set up to use Node's WebCrypto. */
export function loadX509(): Promise<typeof X509> {
  loaded ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(globalThis.crypto);
    return x509;
  })();
  return loaded;
}
