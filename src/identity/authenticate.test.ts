import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { testIdentity, type TestIdentity } from '../../testkit/identity.js';
import { tempDir } from '../../testkit/tmp.js';
import { isRampartError } from '../core/index.js';
import {
  addPrincipal,
  Authenticator,
  conflictOfInterest,
  createJwtVerifier,
  decideByRole,
  parseLifetime,
  type Principal,
} from './index.js';

const home = tempDir();
let world: TestIdentity;
let idp: Server;
let issuer = '';
let key: CryptoKey;
let jwt: Authenticator;

before(async () => {
  world = await testIdentity(home);
  const pair = await generateKeyPair('ES256');
  key = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  idp = createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
  idp.listen(0, '127.0.0.1');
  await once(idp, 'listening');
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  const verifier = createJwtVerifier({
    issuer,
    audience: 'rampart',
    jwksUrl: `${issuer}/jwks`,
    algorithms: ['ES256'],
    subjectClaim: 'sub',
    jwksCacheMs: 60_000,
    clockToleranceS: 0,
  });
  jwt = new Authenticator({
    db: world.state.store,
    access: world.identity.access,
    now: () => new Date(),
    jwt: verifier,
  });
  await addPrincipal(world.state.store, {
    name: 'ci',
    type: 'human',
    roles: ['deployer'],
    createdBy: 'admin',
    now: new Date(),
  });
});
after(async () => {
  idp.close();
  await world.close();
});

const sign = (claims: Record<string, unknown>, alg = 'ES256') =>
  new SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).setIssuedAt().sign(key);

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isRampartError(error, 'RAMPART_UNAUTHENTICATED'), String(error));
    return error.message;
  }
  assert.fail('expected a refusal');
}

async function lastEvent(): Promise<Record<string, unknown>> {
  const size = await world.identity.audit.size();
  const [entry] = await world.identity.audit.entries(size - 1, 1);
  return entry?.event as unknown as Record<string, unknown>;
}

describe('authentication', () => {
  it('accepts the admin token and an OIDC JWT naming an existing principal', async () => {
    assert.equal((await jwt.authenticate({ bearer: world.adminToken })).principal.subject, 'admin');
    const token = await sign({
      iss: issuer,
      aud: 'rampart',
      sub: 'ci',
      exp: Math.floor(Date.now() / 1000) + 60,
    });
    const result = await jwt.authenticate({ bearer: token });
    assert.equal(result.method, 'jwt');
    assert.equal(result.principal.subject, 'ci');
  });

  it('refuses forged and misdirected JWTs, each with an audit entry', async () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: issuer, aud: 'rampart', sub: 'ci', exp })).toString('base64url')}.`;
    const cases: [string, string][] = [
      ['alg none', none],
      ['wrong issuer', await sign({ iss: 'https://evil.example', aud: 'rampart', sub: 'ci', exp })],
      ['wrong audience', await sign({ iss: issuer, aud: 'other', sub: 'ci', exp })],
      [
        'expired',
        await sign({
          iss: issuer,
          aud: 'rampart',
          sub: 'ci',
          exp: Math.floor(Date.now() / 1000) - 600,
        }),
      ],
      ['unknown principal', await sign({ iss: issuer, aud: 'rampart', sub: 'nobody', exp })],
    ];
    for (const [name, token] of cases) {
      const before = await world.identity.audit.size();
      await refusal(jwt.authenticate({ bearer: token, source: '10.0.0.7' }));
      const event = await lastEvent();
      assert.equal(await world.identity.audit.size(), before + 1, name);
      assert.equal(event.action, 'identity.authenticate', name);
      assert.equal((event.decision as { allowed: boolean }).allowed, false, name);
      assert.ok(
        !JSON.stringify(event).includes(token.slice(0, 40)),
        `${name}: the token is not in the log`,
      );
    }
  });

  it('maps a verified client certificate to an existing principal only', async () => {
    const ok = await jwt.authenticate({ certificatePrincipal: 'ci' });
    assert.equal(ok.method, 'mtls');
    assert.match(
      await refusal(jwt.authenticate({ certificatePrincipal: 'ghost' })),
      /unknown principal ghost/,
    );
    assert.match(await refusal(jwt.authenticate({})), /no credential/);
  });
});

describe('policy', () => {
  const person = (
    subject: string,
    roles: Principal['roles'],
    owner: string | null = null,
  ): Principal => ({
    subject,
    type: owner === null ? 'human' : 'service',
    roles,
    owner,
  });

  it('denies by default: no role, no action', () => {
    assert.equal(decideByRole(person('x', []), 'model.read').allowed, false);
    assert.equal(decideByRole(person('x', ['auditor']), 'model.register').allowed, false);
    assert.equal(
      decideByRole(person('x', ['admin']), 'model.approve').allowed,
      false,
      'admins do not approve',
    );
    assert.equal(decideByRole(person('x', ['ml-engineer']), 'model.register').allowed, true);
  });

  it('treats a person and the service accounts they own as one party', () => {
    const alice = person('alice', ['ml-engineer']);
    assert.match(conflictOfInterest(alice, alice) ?? '', /themselves/);
    assert.match(
      conflictOfInterest(person('ci', ['approver'], 'alice'), alice) ?? '',
      /owned by alice/,
    );
    assert.match(
      conflictOfInterest(alice, person('ci', ['ml-engineer'], 'alice')) ?? '',
      /owned by alice/,
    );
    assert.match(
      conflictOfInterest(person('a', [], 'bob'), person('b', [], 'bob')) ?? '',
      /same owner/,
    );
    assert.equal(conflictOfInterest(person('bob', ['approver']), alice), null);
  });

  it('parses token lifetimes and refuses ones over the limit', () => {
    assert.equal(parseLifetime('30d', 365), 30 * 86_400_000);
    assert.equal(parseLifetime('12h', 365), 12 * 3_600_000);
    for (const bad of ['0d', '1y', '-1d', '400d', '', '1.5h']) {
      assert.throws(() => parseLifetime(bad, 365), /not a token lifetime/, bad);
    }
  });
});
