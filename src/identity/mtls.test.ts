import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { describe, it } from 'node:test';
import {
  certificatePrincipal,
  createCertificateAuthority,
  issueCertificate,
  principalUri,
} from './index.js';
import { loadX509 } from './x509-runtime.js';

/** A self-signed certificate with exactly the given URI SANs (chain trust is not the point). */
async function withUris(uris: readonly string[]): Promise<X509Certificate> {
  const x509 = await loadX509();
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await crypto.subtle.generateKey(alg, false, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=test',
    notBefore: new Date(),
    notAfter: new Date(Date.now() + 3_600_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.SubjectAlternativeNameExtension(uris.map((value) => ({ type: 'url', value }))),
    ],
  });
  return new X509Certificate(cert.toString('pem'));
}

describe('certificatePrincipal', () => {
  it('reads the principal from a client certificate issued by the local CA', async () => {
    const ca = await createCertificateAuthority({ name: 'Test CA' });
    const leaf = await issueCertificate(ca, { principal: 'svc-ci@team', usage: 'client' });
    assert.equal(certificatePrincipal(new X509Certificate(leaf.certificate)), 'svc-ci@team');
  });

  it('reads the peer certificate a TLS socket reports', () => {
    const peer = { subjectaltname: `URI:${principalUri('alice')}` } as PeerCertificate;
    assert.equal(certificatePrincipal(peer), 'alice');
    assert.equal(certificatePrincipal({} as PeerCertificate), null);
  });

  it('ignores certificates that name no principal', async () => {
    const ca = await createCertificateAuthority({ name: 'Test CA' });
    const server = await issueCertificate(ca, { principal: 'web', usage: 'server' });
    assert.equal(certificatePrincipal(new X509Certificate(server.certificate)), null);
    assert.equal(certificatePrincipal(new X509Certificate(ca.certificate)), null);
  });

  it('accepts only the exact trust domain, path and name form', async () => {
    const refused = [
      'spiffe://evil.local/principal/alice',
      'spiffe://rampart.local.evil/principal/alice',
      'spiffe://rampart.local/ns/default/sa/alice',
      'spiffe://rampart.local/principal/Alice',
      'spiffe://rampart.local/principal/alice/extra',
      'spiffe://rampart.local/principal/',
      `spiffe://rampart.local/principal/${'a'.repeat(65)}`,
      'https://rampart.local/principal/alice',
    ];
    for (const uri of refused) {
      assert.equal(certificatePrincipal(await withUris([uri])), null, uri);
    }
  });

  it('refuses a certificate naming two principals, but not one naming the same twice', async () => {
    const two = await withUris([principalUri('alice'), principalUri('admin')]);
    assert.equal(certificatePrincipal(two), null);
    const same = await withUris([principalUri('alice'), principalUri('alice')]);
    assert.equal(certificatePrincipal(same), 'alice');
  });

  it('cannot be tricked by a SAN value that embeds a separator', async () => {
    const sneaky = await withUris([`https://x.example/a, URI:${principalUri('admin')}`]);
    assert.equal(certificatePrincipal(sneaky), null);
  });
});
