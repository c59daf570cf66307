import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import {
  leafHash,
  openAuditLog,
  openCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
  type OpenedAuditLog,
} from '../src/audit/index.js';
import { silentLogger } from '../src/core/index.js';
import { createControlPlane, listen, MAX_AUDIT_BODY_BYTES } from '../src/server/index.js';
import { openState, type State } from '../src/state/index.js';
import { rampart, spawnRampart } from '../testkit/cli.js';
import { tempDir } from '../testkit/tmp.js';

const TOKEN = 'rmp_audit-http-test-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const event = (id: string) => ({
  actor: { subject: 'ci', type: 'service' },
  action: 'dataset.ingest',
  resource: { type: 'dataset', id },
  decision: { allowed: true },
});
const b64 = (s: string) => Buffer.from(s, 'base64');

let state: State;
let audit: OpenedAuditLog;
let app: Hono;

before(async () => {
  state = await openState({ home: path.join(tempDir(), 'state'), env: {} });
  audit = await openAuditLog(state.store, state.layout);
  app = createControlPlane({
    logger: silentLogger,
    version: '0.0.0',
    readiness: [],
    adminTokenHash: () => Promise.resolve(createHash('sha256').update(TOKEN).digest('hex')),
    status: () => Promise.resolve({}),
    audit,
  });
});
after(() => state.close());

function post(body: string, headers: Record<string, string> = AUTH): Promise<Response> {
  return Promise.resolve(
    app.request('/audit/entries', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    }),
  );
}

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { code: string }).code;
}

describe('audit HTTP API (in-process)', () => {
  it('reports an empty log, and has no routes when no log is given', async () => {
    const res = await app.request('/audit/checkpoint');
    assert.deepEqual(await res.json(), {
      checkpoint: null,
      verifierKey: audit.verifierKey,
      origin: audit.log.origin,
      size: 0,
    });
    const text = await app.request('/audit/checkpoint', { headers: { accept: 'text/plain' } });
    assert.equal(text.status, 404);
    const bare = createControlPlane({
      logger: silentLogger,
      version: '0.0.0',
      readiness: [],
      adminTokenHash: () => Promise.resolve(null),
      status: () => Promise.resolve({}),
    });
    assert.equal((await bare.request('/audit/checkpoint')).status, 404);
  });

  it('appends with the admin token only, and nothing on bad input', async () => {
    assert.equal((await post(JSON.stringify(event('a')), {})).status, 401);
    const wrong = await post(JSON.stringify(event('a')), { authorization: 'Bearer rmp_nope' });
    assert.equal(await code(wrong), 'RAMPART_UNAUTHENTICATED');
    const malformed = await post('{"actor":');
    assert.equal(malformed.status, 400);
    assert.equal(await code(malformed), 'RAMPART_AUDIT_EVENT_INVALID');
    const unknown = await post(JSON.stringify({ ...event('a'), extra: true }));
    assert.equal(unknown.status, 400);
    assert.equal(await code(unknown), 'RAMPART_AUDIT_EVENT_INVALID');
    const huge = await post(' '.repeat(MAX_AUDIT_BODY_BYTES + 1));
    assert.equal(huge.status, 400);
    assert.equal(await code(huge), 'RAMPART_LIMIT_EXCEEDED');
    assert.equal(await audit.log.size(), 0);

    for (let i = 0; i < 5; i++) {
      const res = await post(JSON.stringify(event(`d-${i}`)));
      assert.equal(res.status, 201);
      assert.equal(((await res.json()) as { index: number }).index, i);
    }
  });

  it('serves the signed checkpoint as JSON and as a text note', async () => {
    const res = await app.request('/audit/checkpoint');
    const body = (await res.json()) as { checkpoint: string; verifierKey: string; size: number };
    assert.equal(body.size, 5);
    const opened = openCheckpoint(
      body.checkpoint,
      [parseVerifierKey(body.verifierKey)],
      audit.log.origin,
    );
    assert.equal(opened.checkpoint.size, 5);
    const text = await app.request('/audit/checkpoint', { headers: { accept: 'text/plain' } });
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await text.text(), body.checkpoint);
  });

  it('serves entries and proofs that verify, and refuses bad numbers', async () => {
    const entry = (await (await app.request('/audit/entries/3')).json()) as { data: string };
    const leaf = leafHash(Buffer.from(entry.data, 'utf8'));
    const inc = (await (await app.request('/audit/proof/inclusion?index=3&size=4')).json()) as {
      leafHash: string;
      size: number;
      root: string;
      proof: string[];
    };
    assert.equal(inc.leafHash, leaf.toString('base64'));
    verifyInclusion(leaf, 3, 4, inc.proof.map(b64), b64(inc.root));
    const con = (await (await app.request('/audit/proof/consistency?from=4&to=5')).json()) as {
      size: number;
      root: string;
      proof: string[];
    };
    verifyConsistency(4, 5, b64(inc.root), b64(con.root), con.proof.map(b64));

    assert.equal(await code(await app.request('/audit/entries/9')), 'RAMPART_AUDIT_NOT_FOUND');
    for (const url of [
      '/audit/entries/abc',
      '/audit/proof/inclusion',
      '/audit/proof/inclusion?index=-1',
      '/audit/proof/consistency?from=1&to=x',
    ]) {
      const res = await app.request(url);
      assert.equal(res.status, 400, url);
      assert.equal(await code(res), 'RAMPART_AUDIT_RANGE_INVALID', url);
    }
  });

  it('is witnessed over HTTP by rampart audit witness --url', async () => {
    const server = await listen(app, '127.0.0.1', 0);
    try {
      const file = path.join(tempDir(), 'witness.json');
      const args = ['audit', 'witness', '--checkpoint-file', file, '--url', server.url, '--json'];
      const first = await rampart(args);
      assert.equal(first.code, 0, first.stdout);
      assert.equal((JSON.parse(first.stdout) as { status: string }).status, 'first');
      await audit.log.append(event('later'));
      const next = JSON.parse((await rampart(args)).stdout) as { status: string; size: number };
      assert.deepEqual([next.status, next.size], ['extended', 6]);
    } finally {
      await server.close();
    }
    const gone = await rampart([
      'audit',
      'witness',
      '--checkpoint-file',
      path.join(tempDir(), 'w.json'),
      '--url',
      server.url,
      '--json',
    ]);
    assert.equal(gone.code, 2);
    assert.match(gone.stdout, /RAMPART_REMOTE_FAILED/);
  });
});

describe('audit HTTP API (rampart up)', () => {
  it('serves GET /audit/checkpoint and records server.start and server.stop', async () => {
    const home = path.join(tempDir(), 'state');
    const child = spawnRampart(['up', '--home', home, '--port', '0']);
    const lines = createInterface({ input: child.stderr! });
    let url = '';
    for await (const line of lines) {
      const parsed = JSON.parse(line) as { msg: string; url?: string };
      if (parsed.msg === 'control plane listening') {
        url = parsed.url ?? '';
        break;
      }
    }
    const res = await fetch(`${url}/audit/checkpoint`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { size: number; checkpoint: string };
    assert.equal(body.size, 1);
    child.kill('SIGTERM');
    const [exitCode] = (await once(child, 'exit')) as [number];
    assert.equal(exitCode, 0);

    const tail = await rampart(['audit', 'tail', '--home', home, '--json']);
    const entries = (JSON.parse(tail.stdout) as { entries: { event: { action: string } }[] })
      .entries;
    assert.deepEqual(
      entries.map((e) => e.event.action),
      ['server.start', 'server.stop'],
    );
    assert.equal((await rampart(['audit', 'verify', '--home', home])).code, 0);
  });
});
