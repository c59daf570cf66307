import assert from 'node:assert/strict';
import { request } from 'node:https';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { isRampartError } from '../core/index.js';
import { createCertificateAuthority, issueCertificate, type PemPair } from '../identity/index.js';
import { tempDir } from '../../testkit/tmp.js';
import { listen, peerPrincipal, readTlsFiles, type RunningServer } from './index.js';

function whoami(): Hono {
  const app = new Hono();
  app.get('/whoami', (c) => c.json({ principal: peerPrincipal(c) }));
  return app;
}

/** GETs /whoami over HTTPS trusting `ca`, presenting `client` when given. */
function get(
  server: RunningServer,
  ca: string,
  client?: PemPair,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/whoami`,
      {
        ca,
        ...(client === undefined ? {} : { cert: client.certificate, key: client.privateKey }),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The TLS layer refused: an alert from the server, or the connection dropped mid-handshake. */
function handshakeRefused(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(ERR_SSL_|ECONNRESET$)/.test(code);
}

describe('TLS on the control plane', () => {
  let ca: PemPair;
  let otherCa: PemPair;
  let serverCert: PemPair;

  before(async () => {
    ca = await createCertificateAuthority({ name: 'Rampart test CA' });
    otherCa = await createCertificateAuthority({ name: 'Someone else' });
    serverCert = await issueCertificate(ca, { principal: 'control-plane', usage: 'server' });
  });

  describe('with client certificates required (mTLS)', () => {
    let server: RunningServer;
    before(async () => {
      server = await listen(whoami(), '127.0.0.1', 0, {
        cert: serverCert.certificate,
        key: serverCert.privateKey,
        clientCa: ca.certificate,
      });
    });
    after(() => server.close());

    it('serves https, and the route sees the principal the client certificate names', async () => {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const alice = await issueCertificate(ca, { principal: 'alice', usage: 'client' });
      const answer = await get(server, ca.certificate, alice);
      assert.deepEqual(answer, { status: 200, body: { principal: 'alice' } });
    });

    it('refuses a client certificate from another CA at the handshake', async () => {
      const mallory = await issueCertificate(otherCa, { principal: 'alice', usage: 'client' });
      await assert.rejects(get(server, ca.certificate, mallory), handshakeRefused);
    });

    it('refuses a client without a certificate', async () => {
      await assert.rejects(get(server, ca.certificate), handshakeRefused);
    });

    it('refuses a server certificate presented as a client certificate', async () => {
      const web = await issueCertificate(ca, { principal: 'web', usage: 'server' });
      await assert.rejects(get(server, ca.certificate, web), handshakeRefused);
    });
  });

  it('without clientCa, serves https to clients without certificates (no principal)', async () => {
    const server = await listen(whoami(), '127.0.0.1', 0, {
      cert: serverCert.certificate,
      key: serverCert.privateKey,
      clientCa: null,
    });
    try {
      assert.deepEqual(await get(server, ca.certificate), {
        status: 200,
        body: { principal: null },
      });
    } finally {
      await server.close();
    }
  });

  it('refuses a certificate and key that cannot be loaded', async () => {
    await assert.rejects(
      listen(whoami(), '127.0.0.1', 0, {
        cert: serverCert.certificate,
        key: 'not a key',
        clientCa: null,
      }),
      (error: unknown) => isRampartError(error, 'RAMPART_CONFIG_INVALID'),
    );
  });

  it('plain http still works, and names no principal', async () => {
    const server = await listen(whoami(), '127.0.0.1', 0);
    try {
      assert.match(server.url, /^http:\/\//);
      const response = await fetch(`${server.url}/whoami`);
      assert.deepEqual(await response.json(), { principal: null });
    } finally {
      await server.close();
    }
  });

  it('reads server.tls files, relative to the state folder, into listen options', async () => {
    const home = tempDir();
    writeFileSync(path.join(home, 'server.crt'), serverCert.certificate);
    writeFileSync(path.join(home, 'server.key'), serverCert.privateKey);
    const caFile = path.join(tempDir(), 'ca.crt');
    writeFileSync(caFile, ca.certificate);
    const files = { cert: 'server.crt', key: 'server.key', clientCa: caFile };
    assert.deepEqual(await readTlsFiles(files, home), {
      cert: serverCert.certificate,
      key: serverCert.privateKey,
      clientCa: ca.certificate,
    });
    assert.equal((await readTlsFiles({ ...files, clientCa: null }, home)).clientCa, null);
    await assert.rejects(readTlsFiles({ ...files, key: 'missing.key' }, home), (error: unknown) =>
      isRampartError(error, 'RAMPART_FILE_NOT_FOUND'),
    );
  });
});
