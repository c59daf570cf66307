import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  displayUrl,
  httpBaseUrl,
  httpRequest,
  isRampartError,
  jsonBody,
  type ErrorCode,
  type HttpRequestOptions,
} from './index.js';

const SECRET = 's3cret-token';
const remote = { name: 'the test server', hint: 'Start it.', details: { remote: 'test' } };
const limits = { timeoutMs: 5_000, maxBytes: 1_000, remote };

function failsWith(code: ErrorCode, message: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(isRampartError(error, code), String(error));
    assert.match(error.message, message);
    assert.ok(!JSON.stringify([error.message, error.hint, error.details]).includes(SECRET));
    return true;
  };
}

describe('httpRequest', () => {
  let server: Server;
  let base: string;

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/echo') {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          res.writeHead(201, { 'content-type': 'application/json', 'x-answer': 'yes' });
          res.end(JSON.stringify({ method: req.method, token: req.headers['x-token'], body }));
        });
      } else if (req.url === '/big') {
        res.end('x'.repeat(5_000));
      } else if (req.url === '/stall') {
        res.write('{"half":'); // and never ends
      } else if (req.url !== '/silent') {
        res.writeHead(404).end('not json');
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const call = (route: string, options: Partial<HttpRequestOptions> = {}) =>
    httpRequest(new URL(route, base), { ...limits, ...options });

  it('sends method, headers and body, and returns status, headers and body', async () => {
    const answer = await call('/echo', {
      method: 'POST',
      headers: { 'x-token': SECRET },
      body: Buffer.from('hello'),
    });
    assert.equal(answer.status, 201);
    assert.equal(answer.headers['x-answer'], 'yes');
    assert.deepEqual(jsonBody(answer), { method: 'POST', token: SECRET, body: 'hello' });
  });

  it('returns an error status as an answer; jsonBody is undefined for non-JSON', async () => {
    const answer = await call('/missing');
    assert.equal(answer.status, 404);
    assert.equal(answer.body.toString('utf8'), 'not json');
    assert.equal(jsonBody(answer), undefined);
  });

  it('gives up at the deadline, before or during the answer', async () => {
    for (const route of ['/silent', '/stall']) {
      await assert.rejects(
        call(route, { timeoutMs: 200, headers: { 'x-token': SECRET } }),
        failsWith('RAMPART_REMOTE_FAILED', /^the test server gave no answer within 200 ms$/),
      );
    }
  });

  it('stops reading past maxBytes, with the code the caller chose', async () => {
    await assert.rejects(
      call('/big'),
      failsWith('RAMPART_REMOTE_FAILED', /answered with more than 1000 bytes/),
    );
    await assert.rejects(
      call('/big', { remote: { ...remote, tooLarge: 'RAMPART_LIMIT_EXCEEDED' } }),
      failsWith('RAMPART_LIMIT_EXCEEDED', /answered with more than 1000 bytes/),
    );
  });

  it('keeps the caller hint and details, and stops on the caller signal', async () => {
    const controller = new AbortController();
    const pending = call('/silent', { signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(isRampartError(error, 'RAMPART_REMOTE_FAILED'));
      assert.equal(error.hint, 'Start it.');
      assert.deepEqual(error.details, { remote: 'test' });
      return true;
    });
  });

  it('fails on a server that is not there, and refuses a non-http scheme', async () => {
    const gone = createServer();
    gone.listen(0, '127.0.0.1');
    await once(gone, 'listening');
    const port = (gone.address() as AddressInfo).port;
    gone.close();
    await once(gone, 'close');
    await assert.rejects(
      httpRequest(new URL(`http://127.0.0.1:${port}/`), { ...limits, headers: { 'x-t': SECRET } }),
      failsWith('RAMPART_REMOTE_FAILED', /^the test server could not be reached \(ECONNREFUSED\)$/),
    );
    await assert.rejects(
      httpRequest(new URL('ftp://127.0.0.1/file'), limits),
      failsWith('RAMPART_REMOTE_FAILED', /is not an http\(s\) URL/),
    );
  });
});

describe('displayUrl and httpBaseUrl', () => {
  it('names a URL without credentials or query', () => {
    const url = new URL(`https://user:${SECRET}@vault.example:8200/v1/x?token=${SECRET}`);
    assert.equal(displayUrl(url), 'https://vault.example:8200/v1/x');
  });

  it('makes an http(s) base ending in a slash, and refuses anything else', () => {
    assert.equal(httpBaseUrl('http://h:1/api')?.href, 'http://h:1/api/');
    assert.equal(httpBaseUrl('https://h/api/')?.href, 'https://h/api/');
    assert.equal(httpBaseUrl('ftp://h/'), undefined);
    assert.equal(httpBaseUrl('not a url'), undefined);
  });
});
