/**
 * mTLS identity: a client certificate names a principal by one URI subject alternative name,
 * `spiffe://rampart.local/principal/<name>` (a SPIFFE ID in Rampart's trust domain). Only the
 * exact trust domain and path count; the subject CN and any other SAN are ignored. The caller
 * must have verified the certificate chain first (the TLS server does, against server.tls.clientCa).
 */
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';

/** Rampart's SPIFFE trust domain. */
export const TRUST_DOMAIN = 'rampart.local';

/** The URI SAN prefix that names a principal. */
export const PRINCIPAL_URI_PREFIX = `spiffe://${TRUST_DOMAIN}/principal/`;

/** What a principal name in a certificate must look like (as principal names do). */
export const CERTIFICATE_PRINCIPAL = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

/** The URI SAN that names `principal` in a client certificate. */
export function principalUri(principal: string): string {
  return PRINCIPAL_URI_PREFIX + principal;
}

/**
 * The principal a verified client certificate names, or null when it names none, names one
 * that is not a valid principal name, or names more than one.
 */
export function certificatePrincipal(cert: PeerCertificate | X509Certificate): string | null {
  const sans = cert instanceof X509Certificate ? cert.subjectAltName : cert.subjectaltname;
  if (typeof sans !== 'string') return null;
  const names = new Set<string>();
  // Node separates entries with ", " and JSON-quotes any value holding a comma or quote, so a
  // crafted value cannot smuggle in an entry of its own; quoted values never match below.
  for (const entry of sans.split(', ')) {
    if (!entry.startsWith(`URI:${PRINCIPAL_URI_PREFIX}`)) continue;
    const name = entry.slice(`URI:${PRINCIPAL_URI_PREFIX}`.length);
    if (!CERTIFICATE_PRINCIPAL.test(name)) return null;
    names.add(name);
  }
  if (names.size !== 1) return null;
  const [name] = names;
  return name ?? null;
}
