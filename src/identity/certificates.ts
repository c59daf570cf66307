/**
 * A small local certificate authority for mTLS (tests and small deployments): an ECDSA P-256
 * CA that may sign only leaf certificates (pathLen 0), and short-lived leaf certificates for
 * clients (URI SAN naming a principal, see mtls.ts) and servers (DNS and IP SANs).
 */
import {
  createPrivateKey,
  KeyObject,
  randomBytes,
  X509Certificate,
  type webcrypto,
} from 'node:crypto';
import { isIP } from 'node:net';
import type * as X509 from '@peculiar/x509';
import { RampartError } from '../core/index.js';
import { CERTIFICATE_PRINCIPAL, principalUri } from './mtls.js';
import { loadX509 } from './x509-runtime.js';

/** A PEM certificate and its PEM (PKCS#8) private key. */
export interface PemPair {
  readonly certificate: string;
  readonly privateKey: string;
}

/** What {@link issueCertificate} makes. */
export interface CertificateRequest {
  /** The principal a client certificate names, or a server's name (its subject CN). */
  readonly principal: string;
  readonly usage: 'client' | 'server';
  /** Server certificates only: DNS names and IP addresses (default localhost, 127.0.0.1). */
  readonly hosts?: readonly string[];
  /** Lifetime in hours (default 24, at most 720). */
  readonly hours?: number;
  readonly now?: Date;
}

/** Longest leaf lifetime: certificates are meant to be short-lived and re-issued. */
export const MAX_CERTIFICATE_HOURS = 720;
/** Longest CA lifetime. */
export const MAX_CA_DAYS = 3650;

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const HOUR_MS = 3_600_000;
// Backdating absorbs small clock differences between the issuing and the verifying machine.
const BACKDATE_MS = 5 * 60_000;
const MAX_HOSTS = 32;
const CA_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;
const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * A new self-signed CA (valid `days`, default 365).
 * @throws RAMPART_CERTIFICATE_REQUEST_INVALID for a bad name or lifetime.
 */
export async function createCertificateAuthority(options: {
  readonly name: string;
  readonly days?: number;
  readonly now?: Date;
}): Promise<PemPair> {
  const days = options.days ?? 365;
  if (!CA_NAME.test(options.name)) invalid(`CA name ${JSON.stringify(options.name)} is not valid`);
  if (!Number.isInteger(days) || days < 1 || days > MAX_CA_DAYS) {
    invalid(`CA lifetime must be 1 to ${MAX_CA_DAYS} days`);
  }
  const x509 = await loadX509();
  const now = (options.now ?? new Date()).getTime();
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [options.name] }],
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + days * 24 * HOUR_MS),
    keys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate: cert.toString('pem'), privateKey: privatePem(keys.privateKey) };
}

/**
 * A leaf certificate signed by `ca`: for a client, its URI SAN names the principal; for a
 * server, its SANs are the hosts.
 * @throws RAMPART_CERTIFICATE_REQUEST_INVALID for a bad request; RAMPART_CA_INVALID when the
 *   CA is malformed, not a CA, expired (or expires first), or its key does not match.
 */
export async function issueCertificate(ca: PemPair, request: CertificateRequest): Promise<PemPair> {
  const hours = request.hours ?? 24;
  if (!CERTIFICATE_PRINCIPAL.test(request.principal)) {
    invalid(`principal name ${JSON.stringify(request.principal)} is not valid`);
  }
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_CERTIFICATE_HOURS) {
    invalid(`certificate lifetime must be 1 to ${MAX_CERTIFICATE_HOURS} hours`);
  }
  const hosts = hostsFor(request);
  const now = (request.now ?? new Date()).getTime();
  const notAfter = new Date(now + hours * HOUR_MS);
  const authority = await openAuthority(ca, new Date(now));
  if (notAfter.getTime() > authority.notAfter.getTime()) {
    invalid(`the CA expires before the certificate would (${authority.notAfter.toISOString()})`);
  }
  const x509 = await loadX509();
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const names =
    request.usage === 'client'
      ? [{ type: 'url' as const, value: principalUri(request.principal) }]
      : hosts.map((host) => ({
          type: isIP(host) === 0 ? ('dns' as const) : ('ip' as const),
          value: host,
        }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [request.principal] }],
    issuer: authority.cert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: authority.key,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        request.usage === 'client'
          ? x509.ExtendedKeyUsage.clientAuth
          : x509.ExtendedKeyUsage.serverAuth,
      ]),
      new x509.SubjectAlternativeNameExtension(names, false),
      await x509.AuthorityKeyIdentifierExtension.create(authority.cert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate: cert.toString('pem'), privateKey: privatePem(keys.privateKey) };
}

interface Authority {
  readonly cert: X509.X509Certificate;
  readonly key: webcrypto.CryptoKey;
  readonly notAfter: Date;
}

async function openAuthority(ca: PemPair, now: Date): Promise<Authority> {
  let checked: X509Certificate;
  let key: KeyObject;
  try {
    checked = new X509Certificate(ca.certificate);
    key = createPrivateKey(ca.privateKey);
  } catch (error) {
    throw caInvalid('the CA certificate or key cannot be read', error);
  }
  if (!checked.ca) throw caInvalid('the CA certificate is not a CA certificate');
  if (!checked.checkPrivateKey(key)) throw caInvalid('the CA key does not match its certificate');
  const notAfter = new Date(checked.validTo);
  if (notAfter.getTime() <= now.getTime() || new Date(checked.validFrom) > now) {
    throw caInvalid(`the CA is not valid now (valid until ${notAfter.toISOString()})`);
  }
  const x509 = await loadX509();
  try {
    const der = key.export({ type: 'pkcs8', format: 'der' });
    return {
      cert: new x509.X509Certificate(ca.certificate),
      key: await crypto.subtle.importKey('pkcs8', der, EC, false, ['sign']),
      notAfter,
    };
  } catch (error) {
    throw caInvalid('the CA key is not an ECDSA P-256 key', error);
  }
}

function hostsFor(request: CertificateRequest): readonly string[] {
  if (request.usage === 'client') {
    if (request.hosts !== undefined && request.hosts.length > 0) {
      invalid('hosts apply to server certificates only');
    }
    return [];
  }
  const hosts =
    request.hosts === undefined || request.hosts.length === 0
      ? ['localhost', '127.0.0.1']
      : request.hosts;
  if (hosts.length > MAX_HOSTS) invalid(`at most ${MAX_HOSTS} hosts`);
  for (const host of hosts) {
    if (isIP(host) === 0 && !DNS_NAME.test(host)) {
      invalid(`host ${JSON.stringify(host)} is neither a DNS name nor an IP address`);
    }
  }
  return [...new Set(hosts)];
}

// A random positive serial of 16 bytes (RFC 5280 allows 20): the top bit cleared keeps the
// DER INTEGER positive, the next one set keeps its length fixed and the value non-zero.
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function privatePem(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}

function invalid(message: string): never {
  throw new RampartError('RAMPART_CERTIFICATE_REQUEST_INVALID', message);
}

function caInvalid(message: string, cause?: unknown): RampartError {
  return new RampartError('RAMPART_CA_INVALID', message, cause === undefined ? {} : { cause });
}
