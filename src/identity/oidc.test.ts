import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { isRampartError } from '../core/index.js';
import { createJwtVerifier, looksLikeJwt, type OidcSettings } from './index.js';

/** A fake identity provider: discovery document and JWKS, with request counters. */
interface Provider {
  readonly server: Server;
  readonly issuer: string;
  readonly jwksUrl: string;
  keys: JWK[];
  discoveryIssuer: string | null;
  jwksBody: string | null;
  readonly hits: { discovery: number; jwks: number };
}

async function startProvider(): Promise<Provider> {
  const hits = { discovery: 0, jwks: 0 };
  const provider = { keys: [] as JWK[], discoveryIssuer: null, jwksBody: null, hits } as Omit<
    Provider,
    'server' | 'issuer' | 'jwksUrl'
  > & { server?: Server; issuer?: string; jwksUrl?: string };
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/realm/.well-known/openid-configuration') {
      hits.discovery += 1;
      const issuer = provider.discoveryIssuer ?? provider.issuer;
      res.end(JSON.stringify({ issuer, jwks_uri: provider.jwksUrl }));
    } else if (req.url === '/realm/jwks') {
      hits.jwks += 1;
      res.end(provider.jwksBody ?? JSON.stringify({ keys: provider.keys }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  provider.server = server;
  provider.issuer = `http://127.0.0.1:${port}/realm`;
  provider.jwksUrl = `${provider.issuer}/jwks`;
  return provider as Provider;
}

interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
  readonly spki: string;
}

async function signingKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, jwk, spki: await exportSPKI(publicKey) };
}

function settings(provider: Provider, extra: Partial<OidcSettings> = {}): OidcSettings {
  return {
    issuer: provider.issuer,
    audience: 'rampart',
    jwksUrl: null,
    algorithms: ['RS256', 'ES256', 'EdDSA'],
    subjectClaim: 'sub',
    jwksCacheMs: 600_000,
    clockToleranceS: 30,
    ...extra,
  };
}

const now = (): number => Math.floor(Date.now() / 1000);

function token(
  key: SigningKey,
  provider: Provider,
  claims: Record<string, unknown> = {},
  edit: (jwt: SignJWT) => SignJWT = (jwt) => jwt,
): Promise<string> {
  const jwt = new SignJWT({
    sub: 'alice',
    iss: provider.issuer,
    aud: 'rampart',
    exp: now() + 300,
    ...claims,
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setIssuedAt();
  return edit(jwt).sign(key.privateKey);
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Asserts a refusal with the given reason, and that nothing of the token leaks into it. */
async function refusedFor(promise: Promise<unknown>, reason: string, jwt: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isRampartError(error, 'RAMPART_UNAUTHENTICATED'), String(error));
    assert.equal(error.details.reason, reason, error.message);
    const shown = JSON.stringify(error.toJSON());
    for (const part of jwt.split('.').filter((p) => p.length > 8)) {
      assert.ok(!shown.includes(part), 'the token must not appear in the error');
    }
    return true;
  });
}

describe('OIDC JWT verification', () => {
  let provider: Provider;
  let rsa: SigningKey;
  let ec: SigningKey;

  before(async () => {
    provider = await startProvider();
    rsa = await signingKey('rsa-1', 'RS256');
    ec = await signingKey('ec-1', 'ES256');
    provider.keys = [rsa.jwk, ec.jwk];
  });
  after(() => {
    provider.server.close();
  });

  it('accepts a valid RS256 token, finding the keys through discovery', async () => {
    const verifier = createJwtVerifier(settings(provider));
    const verified = await verifier.verify(await token(rsa, provider));
    assert.equal(verified.subject, 'alice');
    assert.equal(verified.issuer, provider.issuer);
    assert.ok(verified.expiresAt !== null && verified.expiresAt.getTime() > Date.now());
    assert.equal(verified.claims.aud, 'rampart');
  });

  it('accepts a valid ES256 token from a configured jwksUrl', async () => {
    const verifier = createJwtVerifier(settings(provider, { jwksUrl: provider.jwksUrl }));
    const verified = await verifier.verify(await token(ec, provider, { sub: 'svc-ci' }));
    assert.equal(verified.subject, 'svc-ci');
  });

  it('fetches the discovery document once and caches the keys', async () => {
    const before = { ...provider.hits };
    const verifier = createJwtVerifier(settings(provider));
    for (let i = 0; i < 3; i += 1) await verifier.verify(await token(rsa, provider));
    assert.equal(provider.hits.discovery - before.discovery, 1);
    assert.equal(provider.hits.jwks - before.jwks, 1);
  });

  it('takes the principal name from the configured subject claim', async () => {
    const verifier = createJwtVerifier(settings(provider, { subjectClaim: 'preferred_username' }));
    const jwt = await token(rsa, provider, { preferred_username: 'bob' });
    assert.equal((await verifier.verify(jwt)).subject, 'bob');
    await refusedFor(verifier.verify(await token(rsa, provider)), 'subject', jwt);
    const long = await token(rsa, provider, { preferred_username: 'x'.repeat(257) });
    await refusedFor(verifier.verify(long), 'subject', long);
  });

  describe('refuses, naming the reason', () => {
    const verify = (jwt: string): Promise<unknown> =>
      createJwtVerifier(settings(provider)).verify(jwt);

    it('alg none', async () => {
      const jwt = `${b64({ alg: 'none' })}.${b64({ sub: 'alice', iss: provider.issuer, aud: 'rampart', exp: now() + 300 })}.`;
      await refusedFor(verify(jwt), 'algorithm', jwt);
    });

    it('HS256 signed with the public key bytes (algorithm confusion)', async () => {
      const jwt = await new SignJWT({ sub: 'alice', iss: provider.issuer, aud: 'rampart' })
        .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(rsa.spki));
      await refusedFor(verify(jwt), 'algorithm', jwt);
    });

    it('an algorithm outside the configured allowlist', async () => {
      const jwt = await token(ec, provider);
      const verifier = createJwtVerifier(settings(provider, { algorithms: ['RS256'] }));
      await refusedFor(verifier.verify(jwt), 'algorithm', jwt);
    });

    it('wrong issuer', async () => {
      const jwt = await token(rsa, provider, { iss: 'https://evil.example' });
      await refusedFor(verify(jwt), 'issuer', jwt);
    });

    it('wrong audience', async () => {
      const jwt = await token(rsa, provider, { aud: 'someone-else' });
      await refusedFor(verify(jwt), 'audience', jwt);
    });

    it('expired (beyond the clock tolerance)', async () => {
      const jwt = await token(rsa, provider, { exp: now() - 120 });
      await refusedFor(verify(jwt), 'expired', jwt);
    });

    it('nbf in the future', async () => {
      const jwt = await token(rsa, provider, { nbf: now() + 600 });
      await refusedFor(verify(jwt), 'not_yet_valid', jwt);
    });

    it('no exp claim', async () => {
      const jwt = await token(rsa, provider, { exp: undefined });
      await refusedFor(verify(jwt), 'missing_exp', jwt);
    });

    it('a key that is not in the JWKS', async () => {
      const stranger = await signingKey('stranger', 'RS256');
      const jwt = await token(stranger, provider);
      await refusedFor(verify(jwt), 'unknown_key', jwt);
    });

    it('a tampered payload', async () => {
      const [header, , signature] = (await token(rsa, provider)).split('.');
      const payload = b64({ sub: 'admin', iss: provider.issuer, aud: 'rampart', exp: now() + 300 });
      const jwt = `${header ?? ''}.${payload}.${signature ?? ''}`;
      await refusedFor(verify(jwt), 'signature', jwt);
    });

    it('something that is not a JWT', async () => {
      await refusedFor(verify('rmp_not-a-jwt'), 'malformed', 'rmp_not-a-jwt');
      await refusedFor(verify('a.b.c.d'), 'malformed', 'a.b.c.d');
    });
  });

  it('picks up a rotated key after cache expiry, and drops the retired one', async () => {
    const local = await startProvider();
    after(() => local.server.close());
    const oldKey = await signingKey('old', 'ES256');
    const newKey = await signingKey('new', 'ES256');
    local.keys = [oldKey.jwk];
    const verifier = createJwtVerifier(settings(local, { jwksCacheMs: 1000 }));
    await verifier.verify(await token(oldKey, local));
    local.keys = [newKey.jwk];
    await sleep(1100);
    const retired = await token(oldKey, local);
    await refusedFor(verifier.verify(retired), 'unknown_key', retired);
    assert.equal((await verifier.verify(await token(newKey, local))).subject, 'alice');
  });

  it('refetches the JWKS for an unknown kid (after the cooldown) while the cache is fresh', async () => {
    const local = await startProvider();
    after(() => local.server.close());
    const first = await signingKey('first', 'RS256');
    const second = await signingKey('second', 'RS256');
    local.keys = [first.jwk];
    // A long cache, so only the unknown kid can cause the refetch.
    const verifier = createJwtVerifier(settings(local, { jwksCacheMs: 600_000 }), {
      cooldownMs: 0,
    });
    await verifier.verify(await token(first, local));
    local.keys = [first.jwk, second.jwk];
    assert.equal((await verifier.verify(await token(second, local))).subject, 'alice');
    assert.equal(local.hits.jwks, 2);
  });

  describe('fails closed when the provider cannot be used', () => {
    it('JWKS server down → RAMPART_REMOTE_FAILED', async () => {
      const gone = await startProvider();
      gone.server.close();
      await once(gone.server, 'close');
      const verifier = createJwtVerifier(settings(gone, { jwksUrl: gone.jwksUrl }));
      await assert.rejects(verifier.verify(await token(rsa, gone)), (error: unknown) =>
        isRampartError(error, 'RAMPART_REMOTE_FAILED'),
      );
    });

    it('a discovery document naming another issuer', async () => {
      const local = await startProvider();
      after(() => local.server.close());
      local.discoveryIssuer = 'https://evil.example/realm';
      local.keys = [rsa.jwk];
      const verifier = createJwtVerifier(settings(local));
      await assert.rejects(verifier.verify(await token(rsa, local)), (error: unknown) =>
        isRampartError(error, 'RAMPART_REMOTE_FAILED'),
      );
    });

    it('a JWKS that is not a key set, or too large', async () => {
      const local = await startProvider();
      after(() => local.server.close());
      const verifier = (): ReturnType<typeof createJwtVerifier> =>
        createJwtVerifier(settings(local, { jwksUrl: local.jwksUrl }));
      for (const body of [
        '{"keys": "no"}',
        'not json',
        JSON.stringify({ keys: [], pad: 'x'.repeat(300_000) }),
      ]) {
        local.jwksBody = body;
        await assert.rejects(verifier().verify(await token(rsa, local)), (error: unknown) =>
          isRampartError(error, 'RAMPART_REMOTE_FAILED'),
        );
      }
    });
  });

  it('refuses a configuration that allows a symmetric algorithm', () => {
    const unsafe = { ...settings(provider), algorithms: ['HS256'] } as unknown as OidcSettings;
    assert.throws(
      () => createJwtVerifier(unsafe),
      (error: unknown) => isRampartError(error, 'RAMPART_CONFIG_INVALID'),
    );
  });
});

describe('looksLikeJwt', () => {
  it('accepts three base64url segments and nothing else', () => {
    assert.equal(looksLikeJwt('eyJh.eyJz.c2ln'), true);
    assert.equal(looksLikeJwt('eyJh.eyJz.'), true);
    assert.equal(looksLikeJwt('rmp_abcdef'), false);
    assert.equal(looksLikeJwt('a.b'), false);
    assert.equal(looksLikeJwt('a.b.c.d'), false);
    assert.equal(looksLikeJwt('a+b.c.d'), false);
    assert.equal(looksLikeJwt(`a.${'b'.repeat(20_000)}.c`), false);
  });
});
