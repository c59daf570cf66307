import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isRampartError } from '../../core/index.js';
import {
  METADATA,
  inferBody,
  infer,
  rawExchange,
  send,
  startHarness,
  type Harness,
} from './gateway.fixture.js';
import { startGateway } from './server.js';

describe('gateway: who gets in, and what reaches the model', () => {
  let h: Harness;
  let port: number;
  before(async () => {
    h = await startHarness({ bodyLimitBytes: 4096, maxJsonDepth: 16 });
    port = h.gateway.port;
  });
  after(() => h.close());

  const received = (): number => h.upstream.received.length;

  it('answers health probes without credentials, with its own request id', async () => {
    const live = await send(port, 'GET', '/v2/health/live', {
      headers: { 'x-request-id': 'mine' },
    });
    assert.equal(live.status, 200);
    assert.deepEqual(JSON.parse(live.body), { live: true });
    assert.match(String(live.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const ready = await send(port, 'GET', '/v2/health/ready');
    assert.deepEqual([ready.status, JSON.parse(ready.body)], [200, { ready: true }]);
  });

  it('serves a valid inference and answers under the served name and version', async () => {
    const before = received();
    const answer = await infer(port, inferBody(2, 'req-1'));
    assert.equal(answer.status, 200, answer.body);
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    assert.deepEqual(body, {
      model_name: 'm',
      model_version: '1',
      id: 'req-1',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [2, 1], data: [0.5, 0.5] }],
    });
    assert.equal(received(), before + 1);
    // The model gets the validated request re-serialised, with nothing from the client's headers.
    assert.deepEqual(
      JSON.parse(h.upstream.received.at(-1) ?? ''),
      JSON.parse(inferBody(2, 'req-1')),
    );
  });

  it('refuses missing, forged, malformed and repeated credentials with 401 and a challenge', async () => {
    const before = received();
    const cases: Record<string, string | string[]>[] = [
      {},
      { authorization: 'Bearer tok-mallory' },
      { authorization: 'Basic dG9rLWFsaWNlOg==' },
      { authorization: ['Bearer tok-alice', 'Bearer tok-bob'] },
    ];
    for (const headers of cases) {
      const answer = await send(port, 'POST', '/v2/models/m/infer', {
        headers: { ...headers, 'content-type': 'application/json' },
        body: inferBody(),
      });
      assert.equal(answer.status, 401, JSON.stringify(headers));
      assert.match(String(answer.headers['www-authenticate']), /^Bearer realm="rampart"/);
      assert.ok('error' in (JSON.parse(answer.body) as object));
    }
    assert.equal(received(), before);
  });

  it('answers 401 before reading a body that is never fully sent', async () => {
    const before = received();
    const head =
      'POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      'Content-Length: 100000000\r\n\r\n{"inputs": [';
    const { text } = await rawExchange(port, head);
    assert.match(text, /^HTTP\/1\.1 401 /);
    assert.match(text, /connection: close/i);
    assert.equal(received(), before);
  });

  it('refuses path tricks with 400 and unknown models or versions with 404, before authentication', async () => {
    const authBefore = h.calls.authenticate;
    const cases: [string, number][] = [
      ['/v2/models/m%2Finfer', 400],
      ['/v2/models/%2e%2e/m/infer', 400],
      ['/v2/models/m/../m/infer', 400],
      ['/v2/models/m/./infer', 400],
      ['/v2//models/m/infer', 400],
      ['/v2/models/M!/infer', 400],
      ['/v2/models/m/infer?x=1', 400],
      ['/v2/models/m/versions/9/infer', 404],
      ['/v2/models/nope/infer', 404],
      ['/v2/repository/index', 404],
    ];
    for (const [path, status] of cases) {
      const answer = await send(port, 'POST', path, {
        headers: { authorization: 'Bearer tok-alice', 'content-type': 'application/json' },
        body: inferBody(),
      });
      assert.equal(answer.status, status, path);
    }
    assert.equal(h.calls.authenticate, authBefore);
  });

  it('accepts only GET and POST, each on its own routes, and never honours method overrides', async () => {
    const auth = { authorization: 'Bearer tok-alice' };
    assert.equal((await send(port, 'PUT', '/v2/models/m/infer', { headers: auth })).status, 405);
    assert.equal((await send(port, 'DELETE', '/v2/models/m', { headers: auth })).status, 405);
    assert.equal((await send(port, 'GET', '/v2/models/m/infer', { headers: auth })).status, 405);
    const override = await send(port, 'POST', '/v2/models/m/infer', {
      headers: { ...auth, 'x-http-method-override': 'DELETE', 'content-type': 'application/json' },
      body: inferBody(),
    });
    assert.equal(override.status, 400);
  });

  it('refuses callers without permission on the model with 403', async () => {
    const before = received();
    const answer = await infer(port, inferBody(), 'tok-eve');
    assert.equal(answer.status, 403);
    assert.equal(received(), before);
  });

  it('answers model metadata and readiness from the route, after authentication', async () => {
    const auth = { authorization: 'Bearer tok-alice' };
    assert.equal((await send(port, 'GET', '/v2/models/m')).status, 401);
    const meta = await send(port, 'GET', '/v2/models/m/versions/1', { headers: auth });
    assert.deepEqual([meta.status, JSON.parse(meta.body)], [200, METADATA]);
    const ready = await send(port, 'GET', '/v2/models/m/ready', { headers: auth });
    assert.deepEqual(JSON.parse(ready.body), { name: 'm', ready: true });
    const gone = await send(port, 'GET', '/v2/models/gone', { headers: auth });
    assert.equal(gone.status, 503);
  });

  it('refuses oversized bodies with 413, by Content-Length and while streaming', async () => {
    const before = received();
    const big = `{"inputs":[],"pad":"${'a'.repeat(5000)}"}`;
    assert.equal((await infer(port, big)).status, 413);
    const chunked = await send(port, 'POST', '/v2/models/m/infer', {
      headers: {
        authorization: 'Bearer tok-alice',
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
      body: Array.from({ length: 10 }, () => ' '.repeat(1000)),
    });
    assert.equal(chunked.status, 413);
    assert.equal(received(), before);
  });

  it('refuses deeply nested JSON with 400 without parsing it', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const h2 = await startHarness({ maxJsonDepth: 32 });
    try {
      const answer = await infer(h2.gateway.port, deep);
      assert.equal(answer.status, 400);
      assert.match(answer.body, /nested deeper than 32/);
      assert.equal(h2.upstream.received.length, 0);
    } finally {
      await h2.close();
    }
  });

  it('refuses wrong names, datatypes, shapes, counts and values with a precise 400', async () => {
    const before = received();
    const tensor = (fields: Record<string, unknown>): string =>
      JSON.stringify({
        inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2], ...fields }],
      });
    const twice = { name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] };
    const cases: [string, RegExp][] = [
      [tensor({ name: 'w' }), /no input "w"/],
      [tensor({ datatype: 'FP64' }), /expected datatype FP32, got FP64/],
      [tensor({ shape: [1, 3], data: [1, 2, 3] }), /dimension 1 must be 2/],
      [tensor({ shape: [2, 2] }), /needs 4 elements, got 2/],
      [tensor({ data: [1, 'two'] }), /element 1 is not a finite number/],
      [JSON.stringify({ inputs: [] }), /non-empty array/],
      ['{"inputs": [', /not valid JSON/],
      [JSON.stringify({ inputs: [twice, twice] }), /more than once|takes 1 input/],
    ];
    for (const [body, message] of cases) {
      const answer = await infer(port, body);
      assert.equal(answer.status, 400, body);
      assert.match((JSON.parse(answer.body) as { error: string }).error, message);
    }
    const text = await send(port, 'POST', '/v2/models/m/infer', {
      headers: { authorization: 'Bearer tok-alice', 'content-type': 'text/plain' },
      body: inferBody(),
    });
    assert.equal(text.status, 415);
    assert.equal(received(), before);
  });

  it('exposes Prometheus metrics without credentials and without secrets', async () => {
    const answer = await send(port, 'GET', '/metrics');
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = answer.body;
    assert.match(text, /rampart_gateway_requests_total\{model="m",version="1",status="200"\} \d+/);
    assert.match(
      text,
      /rampart_gateway_request_duration_seconds_bucket\{model="m",version="1",le="\+Inf"\} \d+/,
    );
    assert.match(text, /rampart_gateway_rejections_total\{reason="auth"\} \d+/);
    assert.match(text, /rampart_gateway_rejections_total\{reason="path"\} \d+/);
    assert.match(text, /rampart_gateway_in_flight \d+/);
    assert.match(text, /rampart_canary_weight\{model="m"\} 0/);
    assert.doesNotMatch(text, /tok-|alice|mallory/);
  });

  it('writes one access-log line per request, without tokens or payloads', () => {
    const lines = h.logLines.filter((line) => line.includes('"gateway request"'));
    assert.ok(lines.length > 10);
    for (const line of lines) {
      assert.doesNotMatch(line, /tok-|Bearer|inputs|datatype/);
      assert.match(line, /"requestId":"[0-9a-f-]{36}"/);
    }
  });

  it('refuses to listen on a non-loopback address without TLS', async () => {
    await assert.rejects(
      startGateway({ ...({} as Parameters<typeof startGateway>[0]) }, '0.0.0.0', 0),
      (error: unknown) => isRampartError(error, 'RAMPART_CONFIG_INVALID'),
    );
  });
});
