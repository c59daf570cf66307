import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { isRampartError, type ErrorCode } from '../core/index.js';
import { createCertificateAuthority, issueCertificate, type PemPair } from './index.js';
import { loadX509 } from './x509-runtime.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const HOUR = 3_600_000;

function fails(code: ErrorCode): (error: unknown) => boolean {
  return (error) => isRampartError(error, code);
}

describe('local certificate authority', () => {
  it('creates a P-256 CA that may sign only leaf certificates', async () => {
    const ca = await createCertificateAuthority({ name: 'Rampart test CA', days: 30 });
    const cert = new X509Certificate(ca.certificate);
    assert.equal(cert.ca, true);
    assert.equal(cert.subject, 'CN=Rampart test CA');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    const x509 = await loadX509();
    const parsed = new x509.X509Certificate(ca.certificate);
    const basic = parsed.getExtension(x509.BasicConstraintsExtension);
    assert.equal(basic?.ca, true);
    assert.equal(basic.pathLength, 0);
    assert.equal(basic.critical, true);
    const usage = parsed.getExtension(x509.KeyUsagesExtension);
    assert.equal(usage?.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    const days = (Date.parse(cert.validTo) - Date.now()) / (24 * HOUR);
    assert.ok(days > 29 && days <= 30, `valid for 30 days, got ${days}`);
    assert.match(ca.privateKey, /^-----BEGIN PRIVATE KEY-----/);
  });

  it('refuses bad CA names and lifetimes', async () => {
    for (const options of [
      { name: '' },
      { name: 'CA, O=evil' },
      { name: 'ok', days: 0 },
      { name: 'ok', days: 3651 },
      { name: 'ok', days: 1.5 },
    ]) {
      await assert.rejects(
        createCertificateAuthority(options),
        fails('RAMPART_CERTIFICATE_REQUEST_INVALID'),
      );
    }
  });
});

describe('issued certificates', () => {
  let ca: PemPair | undefined;
  const authority = async (): Promise<PemPair> => {
    ca ??= await createCertificateAuthority({ name: 'Rampart test CA' });
    return ca;
  };

  it('a client certificate names its principal in a SPIFFE URI SAN', async () => {
    const root = await authority();
    const leaf = await issueCertificate(root, { principal: 'alice', usage: 'client' });
    const cert = new X509Certificate(leaf.certificate);
    const caCert = new X509Certificate(root.certificate);
    assert.ok(cert.checkIssued(caCert));
    assert.ok(cert.verify(caCert.publicKey));
    assert.equal(cert.ca, false);
    assert.equal(cert.subject, 'CN=alice');
    assert.equal(cert.subjectAltName, 'URI:spiffe://rampart.local/principal/alice');
    assert.deepEqual(cert.keyUsage, [CLIENT_AUTH]);
    const hours = (Date.parse(cert.validTo) - Date.now()) / HOUR;
    assert.ok(hours > 23.9 && hours <= 24, `24 h by default, got ${hours}`);
    const x509 = await loadX509();
    const parsed = new x509.X509Certificate(leaf.certificate);
    assert.equal(
      parsed.getExtension(x509.KeyUsagesExtension)?.usages,
      x509.KeyUsageFlags.digitalSignature,
    );
    assert.equal(parsed.getExtension(x509.BasicConstraintsExtension)?.ca, false);
  });

  it('a server certificate carries DNS and IP SANs (localhost and 127.0.0.1 by default)', async () => {
    const root = await authority();
    const standard = new X509Certificate(
      (await issueCertificate(root, { principal: 'control-plane', usage: 'server' })).certificate,
    );
    assert.equal(standard.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1');
    assert.deepEqual(standard.keyUsage, [SERVER_AUTH]);
    const custom = new X509Certificate(
      (
        await issueCertificate(root, {
          principal: 'gateway',
          usage: 'server',
          hosts: ['rampart.example.com', '10.0.0.7', '::1'],
          hours: 2,
        })
      ).certificate,
    );
    assert.equal(
      custom.subjectAltName,
      'DNS:rampart.example.com, IP Address:10.0.0.7, IP Address:0:0:0:0:0:0:0:1',
    );
    assert.ok(Date.parse(custom.validTo) - Date.now() <= 2 * HOUR);
  });

  it('gives every certificate a fresh key and a random serial', async () => {
    const root = await authority();
    const a = await issueCertificate(root, { principal: 'bob', usage: 'client' });
    const b = await issueCertificate(root, { principal: 'bob', usage: 'client' });
    assert.notEqual(
      new X509Certificate(a.certificate).serialNumber,
      new X509Certificate(b.certificate).serialNumber,
    );
    assert.notEqual(a.privateKey, b.privateKey);
  });

  it('refuses bad requests', async () => {
    const root = await authority();
    const bad = [
      { principal: 'Alice', usage: 'client' as const },
      { principal: '../alice', usage: 'client' as const },
      { principal: 'alice', usage: 'client' as const, hours: 721 },
      { principal: 'alice', usage: 'client' as const, hours: 0 },
      { principal: 'alice', usage: 'client' as const, hosts: ['localhost'] },
      { principal: 'web', usage: 'server' as const, hosts: ['bad host'] },
      { principal: 'web', usage: 'server' as const, hosts: ['a..b'] },
    ];
    for (const request of bad) {
      await assert.rejects(
        issueCertificate(root, request),
        fails('RAMPART_CERTIFICATE_REQUEST_INVALID'),
      );
    }
  });

  it('refuses a CA that is not usable', async () => {
    const root = await authority();
    const other = await createCertificateAuthority({ name: 'Other CA' });
    const leaf = await issueCertificate(root, { principal: 'alice', usage: 'client' });
    const request = { principal: 'alice', usage: 'client' as const };
    const unusable: PemPair[] = [
      { certificate: root.certificate, privateKey: other.privateKey },
      { certificate: leaf.certificate, privateKey: leaf.privateKey },
      { certificate: 'not a certificate', privateKey: root.privateKey },
      await createCertificateAuthority({
        name: 'Old',
        days: 1,
        now: new Date(Date.now() - 3 * 24 * HOUR),
      }),
    ];
    for (const broken of unusable) {
      await assert.rejects(issueCertificate(broken, request), fails('RAMPART_CA_INVALID'));
    }
  });

  it('refuses a certificate that would outlive its CA', async () => {
    const shortLived = await createCertificateAuthority({ name: 'Short', days: 1 });
    await assert.rejects(
      issueCertificate(shortLived, { principal: 'alice', usage: 'client', hours: 48 }),
      fails('RAMPART_CERTIFICATE_REQUEST_INVALID'),
    );
  });
});
