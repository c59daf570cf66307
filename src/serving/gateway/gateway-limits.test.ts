import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { connect } from 'node:net';
import { inferBody, infer, principal, rawExchange, send, startHarness } from './gateway.fixture.js';

describe('gateway: limits, load and upstream failures', () => {
  it('limits each (caller, model) bucket on its own: 429 with Retry-After for one, not the other', async () => {
    const h = await startHarness({ rateLimit: { rate: 0.01, burst: 2 } });
    try {
      const port = h.gateway.port;
      assert.equal((await infer(port, inferBody())).status, 200);
      assert.equal((await infer(port, inferBody())).status, 200);
      const limited = await infer(port, inferBody());
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers['retry-after']) >= 1);
      assert.equal((await infer(port, inferBody(), 'tok-bob')).status, 200);
      assert.equal(h.upstream.received.length, 3);
    } finally {
      await h.close();
    }
  });

  it('charges input elements when the model is configured so', async () => {
    const h = await startHarness({
      models: [{ name: 'm', rateLimit: { rate: 0.01, burst: 6, cost: 'elements' } }],
    });
    try {
      const port = h.gateway.port;
      assert.equal((await infer(port, inferBody(4))).status, 413); // 8 elements > burst 6
      assert.equal((await infer(port, inferBody(2))).status, 200); // 4 of 6
      assert.equal((await infer(port, inferBody(2))).status, 429); // 4 more: over
      assert.equal((await infer(port, inferBody(1))).status, 200); // 2: fits
      assert.equal(h.upstream.received.length, 2);
    } finally {
      await h.close();
    }
  });

  it('fails closed when the rate-limit backend fails', async () => {
    const h = await startHarness(
      {},
      { limits: { take: () => Promise.reject(new Error('redis down')) } },
    );
    try {
      const answer = await infer(h.gateway.port, inferBody());
      assert.equal(answer.status, 503);
      assert.equal(h.upstream.received.length, 0);
    } finally {
      await h.close();
    }
  });

  it('caps requests in flight per caller', async () => {
    const h = await startHarness({ maxInFlightPerKey: 1 });
    try {
      const port = h.gateway.port;
      h.upstream.delayMs = 400;
      const first = infer(port, inferBody());
      while (h.upstream.received.length === 0) await sleep(10);
      const second = await infer(port, inferBody());
      assert.equal(second.status, 429);
      assert.equal(second.headers['retry-after'], '1');
      assert.equal((await infer(port, inferBody(), 'tok-bob')).status, 200);
      assert.equal((await first).status, 200);
      assert.equal((await infer(port, inferBody())).status, 200);
    } finally {
      await h.close();
    }
  });

  it('a caller that leaves while its credential is checked holds no in-flight slot', async () => {
    // A slow authenticator: the client is gone before the gateway could take a slot.
    const h = await startHarness(
      { maxInFlightPerKey: 1, maxInFlightPerUpstream: 1 },
      { authenticate: () => sleep(150).then(() => principal('alice')) },
    );
    try {
      const port = h.gateway.port;
      const body = inferBody();
      const head =
        'POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok-alice\r\n' +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
      for (let i = 0; i < 2; i++) {
        const left = await rawExchange(port, head, 30);
        assert.equal(left.text, '');
        await sleep(250);
      }
      assert.equal((await infer(port, body)).status, 200);
      assert.equal(h.upstream.received.length, 1);
    } finally {
      await h.close();
    }
  });

  it('caps requests in flight per upstream', async () => {
    const h = await startHarness({ maxInFlightPerUpstream: 1 });
    try {
      const port = h.gateway.port;
      h.upstream.delayMs = 400;
      const first = infer(port, inferBody());
      while (h.upstream.received.length === 0) await sleep(10);
      assert.equal((await infer(port, inferBody(), 'tok-bob')).status, 429);
      assert.equal((await first).status, 200);
    } finally {
      await h.close();
    }
  });

  it('answers 503 for an upstream that is down, 504 for a slow one, 502 for malformed answers', async () => {
    const h = await startHarness({ upstreamTimeoutMs: 1500 });
    try {
      const port = h.gateway.port;
      const down = await infer(port, inferBody(), 'tok-alice', '/v2/models/down/infer');
      assert.equal(down.status, 503);
      h.upstream.delayMs = 4000;
      assert.equal((await infer(port, inferBody())).status, 504);
      h.upstream.delayMs = 0;
      for (const mode of ['not-json', 'wrong-output', 'wrong-shape', 'error'] as const) {
        h.upstream.mode = mode;
        const answer = await infer(port, inferBody());
        assert.equal(answer.status, 502, mode);
        assert.ok('error' in (JSON.parse(answer.body) as object));
      }
      assert.deepEqual(
        h.calls.recorded.map((r) => [r.status, r.upstreamFailed]),
        [
          [503, true],
          [504, true],
          [502, true],
          [502, true],
          [502, true],
          [502, true],
        ],
      );
    } finally {
      await h.close();
    }
  });

  it('cuts off a client that trickles its headers', async () => {
    const h = await startHarness({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    try {
      const socket = connect(h.gateway.port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      const closed = new Promise<boolean>((resolve) => {
        socket.on('close', () => {
          resolve(true);
        });
      });
      socket.write('GET /v2/health/live HTTP/1.1\r\nHost: x\r\n');
      let sent = 0;
      const trickle = setInterval(() => {
        if (!socket.destroyed) socket.write(`X-Slow-${sent++}: a\r\n`);
      }, 100);
      const outcome = await Promise.race([closed, sleep(5000, false, { ref: false })]);
      clearInterval(trickle);
      socket.destroy();
      assert.equal(outcome, true);
      assert.doesNotMatch(text, /200 OK/);
      assert.equal(h.upstream.received.length, 0);
    } finally {
      await h.close();
    }
  });

  it('sheds load with 503 and Retry-After while the event loop is late, before authentication', async () => {
    let delayMs = 0;
    const h = await startHarness({ maxEventLoopDelayMs: 100 }, { eventLoopDelayMs: () => delayMs });
    try {
      const port = h.gateway.port;
      delayMs = 500;
      const shed = await infer(port, inferBody());
      assert.equal(shed.status, 503);
      assert.equal(shed.headers['retry-after'], '1');
      assert.equal(h.calls.authenticate, 0);
      assert.equal((await send(port, 'GET', '/v2/health/ready')).status, 503);
      assert.equal((await send(port, 'GET', '/v2/health/live')).status, 200);
      delayMs = 0;
      assert.equal((await infer(port, inferBody())).status, 200);
      const metrics = await send(port, 'GET', '/metrics');
      assert.match(metrics.body, /rampart_gateway_rejections_total\{reason="overload"\} 1/);
    } finally {
      await h.close();
    }
  });
});
