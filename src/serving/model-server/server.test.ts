import assert from 'node:assert/strict';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isRampartError, silentLogger } from '../../core/index.js';
import { repoRoot } from '../../../testkit/paths.js';
import { tempDir } from '../../../testkit/tmp.js';
import { EmbeddedModelServer } from './server.js';

const ONNX = readFileSync(path.join(repoRoot, 'fixtures/demo/iris-classifier.onnx'));
// Rows of the iris data set (setosa, versicolor, virginica) the demo model classifies right.
const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [5.9, 3.0, 4.2, 1.5],
  [6.7, 3.0, 5.2, 2.3],
];

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One HTTP call to the server, over TCP or its Unix socket. */
function call(
  server: EmbeddedModelServer,
  method: string,
  urlPath: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const text =
    body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const where =
    server.socketPath === null
      ? { host: '127.0.0.1', port: Number(new URL(server.url).port) }
      : { socketPath: server.socketPath };
  return new Promise((resolve, reject) => {
    const req = request({ ...where, method, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(raw) as Record<string, unknown> });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(text);
  });
}

function inferBody(rows: number[][], extra: Record<string, unknown> = {}) {
  return {
    inputs: [{ name: 'input', datatype: 'FP32', shape: [rows.length, 4], data: rows.flat() }],
    ...extra,
  };
}

describe('embedded model server (real onnxruntime, demo iris model)', () => {
  let server: EmbeddedModelServer;
  before(async () => {
    server = await EmbeddedModelServer.start({ logger: silentLogger, bodyLimitBytes: 64 * 1024 });
    await server.load('iris', '1', ONNX);
  });
  after(async () => {
    await server.close();
  });

  it('listens on 127.0.0.1 and answers the health probes', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(server.socketPath, null);
    assert.deepEqual((await call(server, 'GET', '/v2/health/live')).body, { live: true });
    assert.deepEqual((await call(server, 'GET', '/v2/health/ready')).body, { ready: true });
    assert.deepEqual((await call(server, 'GET', '/v2/models/iris/ready')).body, {
      name: 'iris',
      ready: true,
    });
  });

  it('describes the model from the session metadata, symbolic batch dimension as -1', async () => {
    const expected = {
      name: 'iris',
      versions: ['1'],
      platform: 'onnxruntime',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
        { name: 'label', datatype: 'INT64', shape: [-1] },
      ],
    };
    assert.deepEqual((await call(server, 'GET', '/v2/models/iris')).body, expected);
    assert.deepEqual((await call(server, 'GET', '/v2/models/iris/versions/1')).body, expected);
    assert.deepEqual(server.metadata('iris', '1'), expected);
  });

  it('classifies known iris rows and echoes the request id', async () => {
    const answer = await call(
      server,
      'POST',
      '/v2/models/iris/infer',
      inferBody(ROWS, { id: 'r-1' }),
    );
    assert.equal(answer.status, 200);
    assert.equal(answer.body.model_name, 'iris');
    assert.equal(answer.body.model_version, '1');
    assert.equal(answer.body.id, 'r-1');
    type Output = { name: string; data: number[]; shape: number[] };
    const [probabilities, label] = answer.body.outputs as [Output, Output];
    assert.deepEqual(label, { name: 'label', datatype: 'INT64', shape: [3], data: [0, 1, 2] });
    assert.equal(probabilities.name, 'probabilities');
    assert.deepEqual(probabilities.shape, [3, 3]);
    for (let row = 0; row < 3; row++) {
      const sum = probabilities.data.slice(row * 3, row * 3 + 3).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5);
    }
  });

  it('accepts nested data and returns only the requested outputs', async () => {
    const body = {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [ROWS[2]] }],
      outputs: [{ name: 'label' }],
    };
    const answer = await call(server, 'POST', '/v2/models/iris/versions/1/infer', body);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.outputs, [
      { name: 'label', datatype: 'INT64', shape: [1], data: [2] },
    ]);
  });

  it('refuses requests that do not match the metadata with 400 and an OIP error body', async () => {
    const input = { name: 'input', datatype: 'FP32', shape: [1, 4], data: ROWS[0] };
    const bad: unknown[] = [
      { inputs: [{ ...input, datatype: 'FP64' }] },
      { inputs: [{ ...input, shape: [1, 3], data: [1, 2, 3] }] },
      { inputs: [{ ...input, shape: [4] }] },
      { inputs: [{ ...input, shape: [2, 4] }] },
      { inputs: [{ ...input, name: 'features' }] },
      { inputs: [input, input] },
      { inputs: [{ ...input, data: [1, 2, 3, 'x'] }] },
      { inputs: [] },
      { inputs: [input], outputs: [{ name: 'logits' }] },
      { inputs: [input], extra: true },
      { inputs: [{ ...input, parameters: { nested: { a: 1 } } }] },
      [input],
      '{"inputs": [',
      `{"inputs": ${'['.repeat(40)}${']'.repeat(40)}}`,
    ];
    for (const body of bad) {
      const answer = await call(server, 'POST', '/v2/models/iris/infer', body);
      assert.equal(answer.status, 400, JSON.stringify(body).slice(0, 80));
      assert.deepEqual(Object.keys(answer.body), ['error']);
      assert.equal(typeof answer.body.error, 'string');
    }
  });

  it('answers 404 for unknown models, versions and routes, and 405 for wrong methods', async () => {
    for (const urlPath of [
      '/v2/models/nope',
      '/v2/models/iris/versions/9',
      '/v2/models/iris/versions/9/infer',
      '/v2/models/nope/ready',
      '/v2/models/%2e%2e/iris',
      '/v2/models/iris/../iris',
      '/v1/models/iris',
    ]) {
      const method = urlPath.endsWith('/infer') ? 'POST' : 'GET';
      const answer = await call(
        server,
        method,
        urlPath,
        method === 'POST' ? inferBody(ROWS) : undefined,
      );
      assert.equal(answer.status, 404, urlPath);
      assert.equal(typeof answer.body.error, 'string');
    }
    assert.equal((await call(server, 'GET', '/v2/models/iris/infer')).status, 405);
    assert.equal((await call(server, 'DELETE', '/v2/models/iris')).status, 405);
  });

  it('refuses bodies over the limit with 413, declared or streamed', async () => {
    const rows = Array.from({ length: 6000 }, () => ROWS[0] ?? []);
    const declared = await call(server, 'POST', '/v2/models/iris/infer', inferBody(rows));
    assert.equal(declared.status, 413);
    const streamed = await call(server, 'POST', '/v2/models/iris/infer', inferBody(rows), {
      'transfer-encoding': 'chunked',
    });
    assert.equal(streamed.status, 413);
    assert.equal(typeof streamed.body.error, 'string');
  });

  it('refuses the binary tensor extension instead of passing it on unchecked', async () => {
    const answer = await call(server, 'POST', '/v2/models/iris/infer', inferBody(ROWS), {
      'inference-header-content-length': '10',
    });
    assert.equal(answer.status, 400);
  });

  it('serves the most recently loaded version when none is named, and unloads', async () => {
    await server.load('iris', '2', ONNX);
    assert.equal(
      (await call(server, 'POST', '/v2/models/iris/infer', inferBody(ROWS))).body.model_version,
      '2',
    );
    assert.deepEqual(server.metadata('iris', '2')?.versions, ['1', '2']);
    // Loading the same name and version again replaces it and makes it the newest.
    await server.load('iris', '1', ONNX);
    assert.equal((await call(server, 'GET', '/v2/models/iris/ready')).status, 200);
    assert.equal(
      (await call(server, 'POST', '/v2/models/iris/infer', inferBody(ROWS))).body.model_version,
      '1',
    );
    await server.unload('iris', '1');
    assert.equal(
      (await call(server, 'POST', '/v2/models/iris/infer', inferBody(ROWS))).body.model_version,
      '2',
    );
    assert.equal((await call(server, 'GET', '/v2/models/iris/versions/1')).status, 404);
    await assert.rejects(server.unload('iris', '1'), (error) =>
      isRampartError(error, 'RAMPART_MODEL_SERVER_MODEL_UNKNOWN'),
    );
    await server.load('iris', '1', ONNX);
    await server.unload('iris', '2');
  });

  it('refuses bytes that are not an ONNX model and names that do not fit a URL segment', async () => {
    await assert.rejects(server.load('junk', '1', Buffer.from('not a model')), (error) =>
      isRampartError(error, 'RAMPART_MODEL_SERVER_LOAD_FAILED'),
    );
    assert.equal((await call(server, 'GET', '/v2/models/junk')).status, 404);
    for (const [name, version] of [
      ['../x', '1'],
      ['x', 'a/b'],
      ['', '1'],
    ] as const) {
      await assert.rejects(server.load(name, version, ONNX), (error) =>
        isRampartError(error, 'RAMPART_MODEL_NAME_INVALID'),
      );
    }
  });
});

describe('embedded model server addresses', () => {
  it('refuses anything but loopback or a Unix socket', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'localhost', 'example.com']) {
      await assert.rejects(EmbeddedModelServer.start({ host, logger: silentLogger }), (error) =>
        isRampartError(error, 'RAMPART_MODEL_SERVER_ADDRESS_REFUSED'),
      );
    }
    await assert.rejects(
      EmbeddedModelServer.start({ socketPath: '/tmp/x.sock', port: 1, logger: silentLogger }),
      (error) => isRampartError(error, 'RAMPART_MODEL_SERVER_ADDRESS_REFUSED'),
    );
  });

  it('serves OIP over a Unix socket readable only by its owner', async () => {
    const dir = tempDir('model-server-');
    const socketPath = path.join(dir, 'models.sock');
    const server = await EmbeddedModelServer.start({ socketPath, logger: silentLogger });
    try {
      assert.equal(server.url, `unix:${socketPath}`);
      assert.equal(statSync(socketPath).mode & 0o777, 0o600);
      await server.load('iris', '1', ONNX);
      const answer = await call(
        server,
        'POST',
        '/v2/models/iris/infer',
        inferBody([ROWS[1] ?? []]),
      );
      assert.equal(answer.status, 200);
      assert.deepEqual((answer.body.outputs as { data: number[] }[])[1]?.data, [1]);
    } finally {
      await server.close();
    }
    assert.equal(existsSync(socketPath), false);
  });
});
