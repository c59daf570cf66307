import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { rampart, rampartAsAdmin, spawnRampart } from '../testkit/cli.js';
import { tempDir } from '../testkit/tmp.js';

interface LogLine {
  msg: string;
  url?: string;
  [key: string]: unknown;
}

/** Collects the child's JSON log lines and resolves when one matches. */
function watchLog(child: ChildProcess): {
  lines: LogLine[];
  waitFor: (msg: string) => Promise<LogLine>;
} {
  const lines: LogLine[] = [];
  const waiters: { msg: string; resolve: (l: LogLine) => void }[] = [];
  createInterface({ input: child.stderr! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: text };
    }
    lines.push(line);
    for (const w of waiters.filter((x) => x.msg === line.msg)) w.resolve(line);
  });
  return {
    lines,
    waitFor: (msg) =>
      new Promise((resolve, reject) => {
        const found = lines.find((l) => l.msg === msg);
        if (found !== undefined) resolve(found);
        else waiters.push({ msg, resolve });
        child.once('exit', (code) => {
          reject(new Error(`exited ${code} before "${msg}": ${JSON.stringify(lines)}`));
        });
      }),
  };
}

describe('rampart up (control plane)', () => {
  it('serves health, readiness, metrics and an authenticated status, then stops on SIGTERM', async () => {
    const home = path.join(tempDir(), 'state');
    const child = spawnRampart(['up', '--home', home, '--port', '0']);
    const log = watchLog(child);
    const { url } = await log.waitFor('control plane listening');
    assert.ok(url !== undefined);

    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');

    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { store: 'ok', blobs: 'ok' } });

    const denied = await fetch(`${url}/v1/status`);
    assert.equal(denied.status, 401);
    assert.equal(((await denied.json()) as { code: string }).code, 'RAMPART_UNAUTHENTICATED');
    const wrong = await fetch(`${url}/v1/status`, {
      headers: { authorization: 'Bearer rmp_wrong' },
    });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    const token = readFileSync(path.join(home, 'admin.token'), 'utf8').trim();
    const status = await fetch(`${url}/v1/status`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(status.status, 200);
    assert.equal(((await status.json()) as { store: string }).store, 'sqlite');

    const missing = await fetch(`${url}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { code: string }).code, 'RAMPART_NOT_FOUND');

    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(
      metrics,
      /rampart_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/,
    );

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
    assert.ok(log.lines.some((l) => l.msg === 'stopped'));
    assert.ok(!JSON.stringify(log.lines).includes(token), 'the token never reaches the log');
  });

  it('serves HTTPS with mTLS: a client certificate names the principal, another CA is refused', async () => {
    const home = path.join(tempDir(), 'state');
    const other = path.join(tempDir(), 'other');
    assert.equal((await rampart(['init', '--home', home])).code, 0);
    for (const args of [
      ['certs', 'ca', '--home', home],
      ['certs', 'issue', 'server', '--server', '--home', home],
      ['certs', 'issue', 'admin', '--home', home],
      ['certs', 'ca', '--home', other],
      ['certs', 'issue', 'admin', '--home', other],
    ]) {
      const run = await rampart(args);
      assert.equal(run.code, 0, run.stderr);
    }
    writeFileSync(
      path.join(home, 'rampart.yaml'),
      'server:\n  tls:\n    cert: certs/server.crt\n    key: certs/server.key\n    clientCa: certs/ca.crt\n',
    );
    const child = spawnRampart(['up', '--home', home, '--port', '0']);
    const log = watchLog(child);
    const { url } = await log.waitFor('control plane listening');
    assert.match(url ?? '', /^https:/);
    const read = (home: string, file: string) => readFileSync(path.join(home, 'certs', file));
    const get = (client: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest(`${url}/v1/status`, {
          ca: read(home, 'ca.crt'),
          cert: read(client, 'admin.crt'),
          key: read(client, 'admin.key'),
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    try {
      assert.equal(await get(home), 200, 'the certificate authenticates the admin without a token');
      await assert.rejects(get(other), 'a certificate from another CA fails the handshake');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('--demo (npm start) serves the demo classifier through the gateway with the printed key', async () => {
    const home = path.join(tempDir(), 'state');
    const start = () =>
      spawnRampart(['up', '--home', home, '--port', '0', '--gateway-port', '0', '--demo']);
    const child = start();
    const log = watchLog(child);
    const { url } = await log.waitFor('gateway listening');
    const key = readFileSync(path.join(home, 'demo-api-key'), 'utf8').trim();
    const auth = { authorization: `Bearer ${key}` };
    try {
      const metadata = await fetch(`${url}/v2/models/demo`, { headers: auth });
      assert.equal(metadata.status, 200);
      assert.equal(
        ((await metadata.json()) as { inputs: { name: string }[] }).inputs[0]?.name,
        'input',
      );
      const infer = (data: number[], shape: number[]) =>
        fetch(`${url}/v2/models/demo/infer`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape, data }] }),
        });
      const ok = await infer([6.7, 3.0, 5.2, 2.3], [1, 4]);
      assert.equal(ok.status, 200);
      const outputs = ((await ok.json()) as { outputs: { name: string; data: number[] }[] })
        .outputs;
      assert.deepEqual(outputs.find((o) => o.name === 'label')?.data, [2]);
      assert.equal((await infer([1, 2, 3], [1, 3])).status, 400);
      const anonymous = await fetch(`${url}/v2/models/demo`);
      assert.equal(anonymous.status, 401);
      await anonymous.body?.cancel();
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    // A second start reuses the seeded demo and its key.
    const again = start();
    const second = watchLog(again);
    await second.waitFor('gateway listening');
    again.kill('SIGTERM');
    await once(again, 'exit');
    assert.equal(readFileSync(path.join(home, 'demo-api-key'), 'utf8').trim(), key);
    // The served model's lineage is complete: model → training run → dataset version.
    const shown = await rampartAsAdmin(['model', 'show', 'demo@1', '--home', home, '--json'], home);
    const view = JSON.parse(shown.stdout) as {
      runId: string | null;
      datasets: { name: string; sequence: number }[];
    };
    assert.deepEqual(
      view.datasets.map((d) => `${d.name}@${d.sequence}`),
      ['iris@1'],
    );
    assert.ok(view.runId !== null);
    const verified = await rampartAsAdmin(['train', 'verify', view.runId, '--home', home], home);
    assert.equal(verified.code, 0, verified.stdout);
  });

  it('exits 2 with RAMPART_PORT_IN_USE when the port is taken', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const child = spawnRampart([
        'up',
        '--home',
        path.join(tempDir(), 'state'),
        '--port',
        String(port),
      ]);
      const errors: Buffer[] = [];
      child.stderr!.on('data', (c: Buffer) => errors.push(c));
      const [code] = (await once(child, 'exit')) as [number];
      assert.equal(code, 2);
      assert.match(Buffer.concat(errors).toString(), /RAMPART_PORT_IN_USE/);
    } finally {
      blocker.close();
    }
  });
});
