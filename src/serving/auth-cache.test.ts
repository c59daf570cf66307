import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RampartError } from '../core/index.js';
import type { Credentials, PrincipalRecord } from '../identity/index.js';
import { CachedAuthenticator } from './auth-cache.js';

const alice: PrincipalRecord = {
  subject: 'svc:alice',
  type: 'service',
  roles: [],
  owner: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'test',
  disabledAt: null,
};

// An inner authenticator that knows one token and counts how often it is asked.
function inner(failure?: Error) {
  const asked: Credentials[] = [];
  return {
    asked,
    authenticate(credentials: Credentials) {
      asked.push(credentials);
      if (failure !== undefined) return Promise.reject(failure);
      if (credentials.bearer !== 'good') {
        return Promise.reject(new RampartError('RAMPART_UNAUTHENTICATED', 'bad token'));
      }
      return Promise.resolve({ principal: alice, method: 'token' as const });
    },
  };
}

test('an accepted credential is remembered for the ttl and then asked again', async () => {
  let now = 0;
  const store = inner();
  const cache = new CachedAuthenticator(store, 5000, () => now);
  assert.equal(await cache.check({ bearer: 'good' }), alice);
  // A remembered answer is synchronous: no promise, no store round trip.
  assert.equal(cache.check({ bearer: 'good' }), alice);
  assert.equal(store.asked.length, 1);
  now = 5000;
  assert.equal(await cache.check({ bearer: 'good' }), alice);
  assert.equal(store.asked.length, 2);
});

test('a refused credential is null, remembered for a second, never thrown', async () => {
  let now = 0;
  const store = inner();
  const cache = new CachedAuthenticator(store, 5000, () => now);
  assert.equal(await cache.check({ bearer: 'forged' }), null);
  assert.equal(cache.check({ bearer: 'forged' }), null);
  assert.equal(store.asked.length, 1);
  now = 1000;
  assert.equal(await cache.check({ bearer: 'forged' }), null);
  assert.equal(store.asked.length, 2);
});

test('credentials differing only in the certificate are cached apart', async () => {
  const store = inner();
  const cache = new CachedAuthenticator(store, 5000, () => 0);
  await cache.check({ bearer: 'good', certificatePrincipal: null });
  await cache.check({ bearer: 'good', certificatePrincipal: 'svc:other' });
  assert.equal(store.asked.length, 2);
});

test('an authenticator that cannot decide throws, and nothing is remembered', async () => {
  const store = inner(new RampartError('RAMPART_STORE_UNAVAILABLE', 'database is down'));
  const cache = new CachedAuthenticator(store, 5000, () => 0);
  await assert.rejects(async () => cache.check({ bearer: 'good' }), /database is down/);
  await assert.rejects(async () => cache.check({ bearer: 'good' }), /database is down/);
  assert.equal(store.asked.length, 2);
});
