import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testIdentity, type TestIdentity } from '../testkit/identity.js';
import { tempDir } from '../testkit/tmp.js';
import { createLogger, HashPool } from '../src/core/index.js';
import { openRegistry } from '../src/registry/index.js';
import { createControlPlane } from '../src/server/index.js';

const home = tempDir();
let world: TestIdentity;
let pool: HashPool;
let app: ReturnType<typeof createControlPlane>;
const tokens: Record<string, string> = {};

before(async () => {
  world = await testIdentity(home);
  pool = new HashPool({ size: 1 });
  const registry = await openRegistry(world.state, world.identity, {
    pool,
    toolVersion: '0.0.0-test',
  });
  app = createControlPlane({
    logger: createLogger({ level: 'error', format: 'json', sink: () => undefined }),
    version: '0.0.0-test',
    readiness: [],
    identity: world.identity,
    status: () => Promise.resolve({}),
    registry,
  });
  tokens.alice = await world.person('alice', ['ml-engineer']);
  tokens.bob = await world.person('bob', ['approver']);
  tokens.carol = await world.person('carol', ['security-reviewer']);
});
after(async () => {
  await pool.close();
  await world.close();
});

async function call(method: string, url: string, token: string | undefined, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  let payload: string | Uint8Array | undefined;
  if (body instanceof Uint8Array) {
    headers['content-type'] = 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await app.request(url, {
    method,
    headers,
    ...(payload === undefined ? {} : { body: payload }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const ONNX_LIKE = new TextEncoder().encode('{"weights": [0.1, 0.2]}\n');

describe('registry over HTTP: same operations, same checks', () => {
  it('refuses an unauthenticated upload with 401 before reading the body', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
        if (pulled > 4) controller.close();
      },
    });
    const res = await app.request('/v1/models/fraud/versions?filename=m.json', {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'application/octet-stream' },
      duplex: 'half',
    });
    assert.equal(res.status, 401);
    assert.ok(pulled <= 1, `the body was read (${pulled} chunks)`);
  });

  it('refuses (403) an upload from a principal who may not register, before storing it', async () => {
    const res = await call(
      'POST',
      '/v1/models/fraud/versions?filename=model.json',
      tokens.bob,
      ONNX_LIKE,
    );
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'RAMPART_FORBIDDEN');
  });

  it('registers an uploaded model file and shows it', async () => {
    const res = await call(
      'POST',
      '/v1/models/fraud/versions?filename=model.json',
      tokens.alice,
      ONNX_LIKE,
    );
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.version, 1);
    assert.match(res.body.digest as string, /^sha256:[0-9a-f]{64}$/);
    const shown = await call('GET', '/v1/models/fraud/versions/1', tokens.bob);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.digest, res.body.digest);
    const traversal = await call(
      'POST',
      '/v1/models/..%2F..%2Fetc/versions?filename=model.json',
      tokens.alice,
      ONNX_LIKE,
    );
    assert.equal(traversal.status, 400);
    const badName = await call(
      'POST',
      '/v1/models/fraud/versions?filename=../x',
      tokens.alice,
      ONNX_LIKE,
    );
    assert.equal(badName.status, 400);
  });

  it('refuses to move a protected alias directly (403) and promotes through approvals', async () => {
    const direct = await call('PUT', '/v1/models/fraud/aliases/production', tokens.alice, {
      version: 1,
    });
    assert.equal(direct.status, 403);
    assert.equal(direct.body.code, 'RAMPART_ALIAS_PROTECTED');
    const noEvidence = await call('POST', '/v1/models/fraud/versions/1/promotions', tokens.alice, {
      alias: 'production',
    });
    assert.equal(noEvidence.status, 403);
    const evidence = [
      { name: 'eval.json', content: Buffer.from('{"auc":0.97}').toString('base64') },
    ];
    const opened = await call('POST', '/v1/models/fraud/versions/1/promotions', tokens.alice, {
      alias: 'production',
      evidence,
    });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    const id = opened.body.request as string;
    const self = await call('POST', `/v1/promotions/${id}/approve`, tokens.alice, {});
    assert.equal(self.status, 403);
    assert.equal(
      (await call('POST', `/v1/promotions/${id}/approve`, tokens.bob, { comment: 'ok' })).status,
      200,
    );
    const done = await call('POST', `/v1/promotions/${id}/approve`, tokens.carol, {});
    assert.equal(done.status, 200);
    assert.equal(done.body.moved, true);
    const model = await call('GET', '/v1/models/fraud', tokens.bob);
    assert.deepEqual(model.body.aliases, { production: 1 });
    const requests = await call('GET', '/v1/promotions?model=fraud', tokens.bob);
    assert.equal((requests.body.requests as { state: string }[])[0]?.state, 'approved');
  });

  it('verifies, exports the BOM and quarantines over HTTP', async () => {
    const verified = await call('POST', '/v1/models/fraud/versions/1/verify', tokens.bob);
    assert.equal(verified.status, 200);
    assert.equal(verified.body.verified, true);
    const bom = await call('GET', '/v1/models/fraud/versions/production/bom', tokens.bob);
    assert.equal(bom.body.specVersion, '1.6');
    const refused = await call('POST', '/v1/models/fraud/versions/1/quarantine', tokens.bob, {
      reason: 'x',
    });
    assert.equal(refused.status, 403);
    const q = await call('POST', '/v1/models/fraud/versions/1/quarantine', tokens.carol, {
      reason: 'poisoned',
    });
    assert.equal(q.status, 200);
    assert.deepEqual((await call('GET', '/v1/models/fraud', tokens.bob)).body.aliases, {});
  });

  it('answers bad JSON with 400 and unknown models with 404', async () => {
    const res = await app.request('/v1/models/fraud/versions/1/promotions', {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' },
      body: '{nope',
    });
    assert.equal(res.status, 400);
    assert.equal((await call('GET', '/v1/models/nothing', tokens.bob)).status, 404);
  });
});
