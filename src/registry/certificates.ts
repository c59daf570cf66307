/**
 * Certificate-method checks: the bundle's chain (leaf first) must lead to a caller-given root.
 * As in model_signing, validity is checked at the leaf's notBefore, since key and certificate
 * bundles carry no trusted signing time.
 */
import { X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { RampartError, readSmallFile } from '../core/index.js';

const MAX_DEPTH = 10;
const MAX_ROOTS_FILE = 1024 * 1024;
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const ANY_EKU = '2.5.29.37.0';
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads every PEM certificate in a file.
 * @throws file errors, RAMPART_KEY_INVALID when it holds no readable certificate.
 */
export async function loadCertificates(file: string): Promise<X509Certificate[]> {
  const text = (await readSmallFile(file, MAX_ROOTS_FILE)).toString('utf8');
  const blocks = text.match(PEM_CERT) ?? [];
  if (blocks.length === 0) {
    throw new RampartError('RAMPART_KEY_INVALID', `${file} holds no PEM certificate`, {
      details: { path: file },
    });
  }
  try {
    return blocks.map((pem) => new X509Certificate(pem));
  } catch (error) {
    throw new RampartError('RAMPART_KEY_INVALID', `${file} holds a malformed certificate`, {
      cause: error,
      details: { path: file },
    });
  }
}

/**
 * Checks that `chain[0]` (the leaf) chains through `chain[1..]` to one of `roots`, each link
 * signed by its issuer, every issuer a CA, every certificate valid at the leaf's notBefore, and
 * the leaf's extended key usage (when present) allowing code signing. Returns the leaf key.
 * @throws RAMPART_MODEL_SIGNATURE_MALFORMED for undecodable certificates,
 *   RAMPART_MODEL_CERTIFICATE_INVALID when the chain does not hold.
 */
export function verifyChain(
  chain: readonly Buffer[],
  roots: readonly X509Certificate[],
): KeyObject {
  let certs: X509Certificate[];
  try {
    certs = chain.map((der) => new X509Certificate(der));
  } catch (error) {
    throw new RampartError(
      'RAMPART_MODEL_SIGNATURE_MALFORMED',
      'a certificate in the bundle is malformed',
      {
        cause: error,
      },
    );
  }
  const leaf = certs[0] as X509Certificate;
  const at = new Date(leaf.validFrom);
  const eku = leaf.keyUsage as string[] | undefined;
  if (
    eku !== undefined &&
    eku.length > 0 &&
    !eku.includes(CODE_SIGNING) &&
    !eku.includes(ANY_EKU)
  ) {
    throw invalid(`the signing certificate (${leaf.subject.trim()}) may not sign code`);
  }
  const rootPrints = new Set(roots.map((root) => root.fingerprint256));
  let current = leaf;
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    checkTime(current, at);
    if (rootPrints.has(current.fingerprint256)) return leaf.publicKey;
    const issuer = [...roots, ...certs.slice(1)].find(
      (candidate) =>
        candidate.fingerprint256 !== current.fingerprint256 &&
        candidate.ca &&
        current.checkIssued(candidate) &&
        current.verify(candidate.publicKey),
    );
    if (issuer === undefined) {
      throw invalid(`no trusted issuer for the certificate ${current.subject.trim()}`);
    }
    current = issuer;
  }
  throw invalid(`the certificate chain is longer than ${MAX_DEPTH}`);
}

function checkTime(cert: X509Certificate, at: Date): void {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (Number.isNaN(at.getTime()) || !(from <= at && at <= to)) {
    throw invalid(
      `the certificate ${cert.subject.trim()} was not valid when the signing certificate was issued`,
    );
  }
}

function invalid(message: string): RampartError {
  return new RampartError('RAMPART_MODEL_CERTIFICATE_INVALID', message);
}
