import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testIdentity, type TestIdentity } from '../../testkit/identity.js';
import { tempDir } from '../../testkit/tmp.js';
import { createLogger, RampartError } from '../core/index.js';
import { createControlPlane, type ControlPlaneOptions } from './index.js';

const home = tempDir();
let world: TestIdentity;
let TOKEN = '';
before(async () => {
  world = await testIdentity(home);
  TOKEN = world.adminToken;
});
after(() => world.close());

function app(overrides: Partial<ControlPlaneOptions> = {}, lines: string[] = []) {
  return createControlPlane({
    logger: createLogger({ level: 'debug', format: 'json', sink: (l) => lines.push(l) }),
    version: '1.2.3',
    readiness: [{ name: 'store', check: () => Promise.resolve() }],
    identity: world.identity,
    status: () => Promise.resolve({ store: 'sqlite' }),
    ...overrides,
  });
}

describe('control plane', () => {
  it('answers /healthz with the version', async () => {
    const res = await app().request('/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', version: '1.2.3' });
  });

  it('reports not ready with the failing check code and 503', async () => {
    const failing = app({
      readiness: [
        {
          name: 'store',
          check: () => Promise.reject(new RampartError('RAMPART_STORE_UNAVAILABLE', 'down')),
        },
        { name: 'blobs', check: () => Promise.reject(new Error('EACCES')) },
      ],
    });
    const res = await failing.request('/readyz');
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), {
      status: 'not_ready',
      checks: { store: 'RAMPART_STORE_UNAVAILABLE', blobs: 'RAMPART_INTERNAL' },
    });
  });

  it('requires a valid bearer token for /v1/status', async () => {
    const plane = app();
    for (const header of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN} extra`]) {
      const res = await plane.request(
        '/v1/status',
        header === undefined ? {} : { headers: { authorization: header } },
      );
      assert.equal(res.status, 401, String(header));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="rampart"');
    }
    const ok = await plane.request('/v1/status', { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { version: '1.2.3', store: 'sqlite' });
  });

  it('refuses (403) a principal whose roles do not allow reading the status', async () => {
    const token = await world.person('dana', ['ml-engineer']);
    const res = await app().request('/v1/status', {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { code: string }).code, 'RAMPART_FORBIDDEN');
  });

  it('maps coded errors to statuses and hides internal failures', async () => {
    const lines: string[] = [];
    const broken = app(
      { status: () => Promise.reject(new Error('secret internal detail')) },
      lines,
    );
    const res = await broken.request('/v1/status', {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(res.status, 500);
    const body = (await res.json()) as { code: string; error: string };
    assert.equal(body.code, 'RAMPART_INTERNAL');
    assert.doesNotMatch(body.error, /secret internal detail/);
    assert.ok(
      lines.some((l) => l.includes('secret internal detail')),
      'the cause is logged',
    );
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await app().request('/v2/nothing');
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { code: string }).code, 'RAMPART_NOT_FOUND');
  });

  it('counts requests by route in /metrics', async () => {
    const plane = app();
    await plane.request('/healthz');
    await plane.request('/healthz');
    const text = await (await plane.request('/metrics')).text();
    assert.match(
      text,
      /rampart_http_requests_total\{method="GET",route="\/healthz",status="200"\} 2/,
    );
    assert.match(text, /# TYPE rampart_uptime_seconds gauge/);
  });

  it('logs one line per request without the authorization header', async () => {
    const lines: string[] = [];
    await app({}, lines).request('/v1/status', { headers: { authorization: `Bearer ${TOKEN}` } });
    const entry = JSON.parse(lines.at(-1) ?? '{}') as { msg: string; status: number };
    assert.equal(entry.msg, 'request');
    assert.equal(entry.status, 200);
    assert.ok(!lines.join('').includes(TOKEN));
  });
});
