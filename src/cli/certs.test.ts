import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { certificatePrincipal } from '../identity/index.js';
import { rampart } from '../../testkit/cli.js';
import { tempDir } from '../../testkit/tmp.js';

async function certs(
  home: string,
  args: readonly string[],
): Promise<{ code: number; body: unknown }> {
  const run = await rampart(['certs', ...args, '--json'], { RAMPART_HOME: home });
  return { code: run.code, body: JSON.parse(run.stdout) as unknown };
}

async function errorOf(
  home: string,
  args: readonly string[],
): Promise<{ exit: number; code: string }> {
  const { code, body } = await certs(home, args);
  return { exit: code, code: (body as { error: { code: string } }).error.code };
}

function mode(file: string): number {
  return statSync(file).mode & 0o777;
}

describe('rampart certs', () => {
  it('ca creates ca.crt and ca.key (0600) in <home>/certs (0700), without a database', async () => {
    const home = path.join(tempDir(), 'home');
    const { code, body } = await certs(home, ['ca', '--name', 'Team CA', '--days', '30']);
    assert.equal(code, 0);
    const made = body as { certificate: string; key: string; name: string; notAfter: string };
    assert.equal(made.certificate, path.join(home, 'certs', 'ca.crt'));
    assert.equal(made.key, path.join(home, 'certs', 'ca.key'));
    assert.equal(made.name, 'Team CA');
    assert.equal(mode(path.join(home, 'certs')), 0o700);
    assert.equal(mode(made.certificate), 0o600);
    assert.equal(mode(made.key), 0o600);
    const cert = new X509Certificate(readFileSync(made.certificate));
    assert.equal(cert.ca, true);
    assert.equal(cert.subject, 'CN=Team CA');
    assert.equal(new Date(cert.validTo).toISOString(), made.notAfter);
    assert.equal(existsSync(path.join(home, 'rampart.db')), false);
  });

  it('ca refuses to replace an existing CA unless --force', async () => {
    const home = tempDir();
    assert.equal((await certs(home, ['ca'])).code, 0);
    const first = readFileSync(path.join(home, 'certs', 'ca.crt'), 'utf8');
    assert.deepEqual(await errorOf(home, ['ca']), { exit: 2, code: 'RAMPART_CA_EXISTS' });
    assert.equal(readFileSync(path.join(home, 'certs', 'ca.crt'), 'utf8'), first);
    assert.equal((await certs(home, ['ca', '--force'])).code, 0);
    assert.notEqual(readFileSync(path.join(home, 'certs', 'ca.crt'), 'utf8'), first);
  });

  it('issue writes a client certificate that chains to the CA and names the principal', async () => {
    const home = tempDir();
    await certs(home, ['ca']);
    const run = await rampart(['certs', 'issue', 'alice', '--hours', '8', '--json'], {
      RAMPART_HOME: home,
    });
    assert.equal(run.code, 0, run.stdout);
    assert.doesNotMatch(run.stdout, /PRIVATE KEY/);
    const body = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), [
      'certificate',
      'key',
      'notAfter',
      'principal',
      'sans',
    ]);
    assert.equal(body.certificate, path.join(home, 'certs', 'alice.crt'));
    assert.equal(body.key, path.join(home, 'certs', 'alice.key'));
    assert.equal(body.principal, 'alice');
    assert.deepEqual(body.sans, ['URI:spiffe://rampart.local/principal/alice']);
    assert.equal(mode(path.join(home, 'certs', 'alice.key')), 0o600);
    const cert = new X509Certificate(readFileSync(path.join(home, 'certs', 'alice.crt')));
    const ca = new X509Certificate(readFileSync(path.join(home, 'certs', 'ca.crt')));
    assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
    assert.equal(certificatePrincipal(cert), 'alice');
    assert.ok(Date.parse(String(body.notAfter)) - Date.now() <= 8 * 3_600_000);
  });

  it('issue --server writes a server certificate for the hosts into --out', async () => {
    const home = tempDir();
    const out = path.join(tempDir(), 'tls');
    await certs(home, ['ca']);
    const { code, body } = await certs(home, [
      'issue',
      'control-plane',
      '--server',
      '--host',
      'rampart.internal',
      '--host',
      '10.0.0.5',
      '--out',
      out,
    ]);
    assert.equal(code, 0);
    assert.deepEqual((body as { sans: string[] }).sans, [
      'DNS:rampart.internal',
      'IP Address:10.0.0.5',
    ]);
    assert.ok(existsSync(path.join(out, 'control-plane.crt')));
    assert.equal(mode(path.join(out, 'control-plane.key')), 0o600);
  });

  it('prints paths, subject, SANs and expiry for people', async () => {
    const home = tempDir();
    await certs(home, ['ca']);
    const run = await rampart(['certs', 'issue', 'bob'], { RAMPART_HOME: home });
    assert.equal(run.code, 0);
    assert.match(run.stdout, /subject +CN=bob/);
    assert.match(run.stdout, /SANs +URI:spiffe:\/\/rampart\.local\/principal\/bob/);
    assert.match(run.stdout, /valid until \d{4}-\d\d-\d\dT/);
    assert.ok(run.stdout.includes(path.join(home, 'certs', 'bob.key')));
  });

  it('issue without a CA exits 2 with RAMPART_CA_NOT_FOUND', async () => {
    assert.deepEqual(await errorOf(tempDir(), ['issue', 'alice']), {
      exit: 2,
      code: 'RAMPART_CA_NOT_FOUND',
    });
  });

  it('refuses bad arguments with exit 2', async () => {
    const home = tempDir();
    await certs(home, ['ca']);
    const cases: [string[], string][] = [
      [['issue'], 'RAMPART_USAGE'],
      [['ca', 'extra'], 'RAMPART_USAGE'],
      [['rotate'], 'RAMPART_USAGE'],
      [['issue', 'alice', '--days', '3'], 'RAMPART_USAGE'],
      [['issue', 'alice', '--hours', 'soon'], 'RAMPART_USAGE'],
      [['issue', 'alice', '--hours', '721'], 'RAMPART_CERTIFICATE_REQUEST_INVALID'],
      [['issue', 'Alice'], 'RAMPART_CERTIFICATE_REQUEST_INVALID'],
      [['issue', '../alice'], 'RAMPART_CERTIFICATE_REQUEST_INVALID'],
      [['issue', 'alice', '--host', 'example.com'], 'RAMPART_CERTIFICATE_REQUEST_INVALID'],
      [['issue', 'ca'], 'RAMPART_CERTIFICATE_REQUEST_INVALID'],
    ];
    for (const [args, code] of cases) {
      assert.deepEqual(await errorOf(home, args), { exit: 2, code }, args.join(' '));
    }
    assert.ok(new X509Certificate(readFileSync(path.join(home, 'certs', 'ca.crt'))).ca);
  });

  it('refuses a broken CA with RAMPART_CA_INVALID', async () => {
    const home = tempDir();
    const other = tempDir();
    await certs(home, ['ca']);
    await certs(other, ['ca']);
    writeFileSync(
      path.join(home, 'certs', 'ca.key'),
      readFileSync(path.join(other, 'certs', 'ca.key')),
    );
    assert.deepEqual(await errorOf(home, ['issue', 'alice']), {
      exit: 2,
      code: 'RAMPART_CA_INVALID',
    });
  });
});
