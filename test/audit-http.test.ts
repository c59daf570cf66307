import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
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
import { openIdentity, type Identity } from '../src/identity/index.js';
import { createControlPlane, listen, MAX_AUDIT_BODY_BYTES } from '../src/server/index.js';
import { openState, type State } from '../src/state/index.js';
import { rampart, rampartAsAdmin, spawnRampart } from '../testkit/cli.js';
import { tempDir } from '../testkit/tmp.js';

const event = (id: string) => ({
  actor: { subject: 'ci', type: 'service' },
  action: 'dataset.ingest',
  resource: { type: 'dataset', id },
  decision: { allowed: true },
});
const b64 = (s: string) => Buffer.from(s, 'base64');

let state: State;
let identity: Identity;
let audit: OpenedAuditLog;
let app: Hono;
/** The admin token of the state folder, as an Authorization header. */
let auth: Record<string, string>;
/** The indexes of the events appended over HTTP (d-0 ... d-4). */
const appended: number[] = [];

before(async () => {
  state = await openState({ home: path.join(tempDir(), 'state'), env: {} });
  identity = await openIdentity(state);
  audit = await openAuditLog(state.store, state.layout);
  auth = { authorization: `Bearer ${readFileSync(state.layout.adminToken, 'utf8').trim()}` };
  app = createControlPlane({
    logger: silentLogger,
    version: '0.0.0',
    readiness: [],
    identity,
    status: () => Promise.resolve({}),
    audit,
  });
});
after(() => state.close());

async function actions(): Promise<string[]> {
  const entries = await audit.log.entries(0, await audit.log.size());
  return entries.map((e) => e.event.action);
}

function post(body: string, headers: Record<string, string> = auth): Promise<Response> {
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
      identity,
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
    // No event was appended; only decisions were: the two refused authentications and the
    // audit.append decisions taken before the bad bodies were read.
    const refused = await actions();
    assert.ok(!refused.includes('dataset.ingest'));
    assert.deepEqual(
      refused.filter((a) => a === 'identity.authenticate'),
      ['identity.authenticate', 'identity.authenticate'],
    );

    for (let i = 0; i < 5; i++) {
      const res = await post(JSON.stringify(event(`d-${i}`)));
      assert.equal(res.status, 201);
      const { index } = (await res.json()) as { index: number };
      const [decision, entry] = await audit.log.entries(index - 1, 2);
      assert.deepEqual(
        [decision?.event.action, decision?.event.actor.subject, entry?.event.resource.id],
        ['audit.append', 'admin', `d-${i}`],
      );
      appended.push(index);
    }
  });

  it('serves the signed checkpoint as JSON and as a text note', async () => {
    const res = await app.request('/audit/checkpoint');
    const body = (await res.json()) as { checkpoint: string; verifierKey: string; size: number };
    const size = (appended.at(-1) ?? -1) + 1;
    assert.equal(body.size, size);
    const opened = openCheckpoint(
      body.checkpoint,
      [parseVerifierKey(body.verifierKey)],
      audit.log.origin,
    );
    assert.equal(opened.checkpoint.size, size);
    const text = await app.request('/audit/checkpoint', { headers: { accept: 'text/plain' } });
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await text.text(), body.checkpoint);
  });

  it('serves entries and proofs that verify, and refuses bad numbers', async () => {
    // Entry d-3 in the tree that ends with it, and that tree's consistency with one more event.
    const [index = -1, next = -1] = appended.slice(3);
    const entry = (await (await app.request(`/audit/entries/${index}`)).json()) as {
      data: string;
      event: { resource: { id: string } };
    };
    assert.equal(entry.event.resource.id, 'd-3');
    const leaf = leafHash(Buffer.from(entry.data, 'utf8'));
    const url = `/audit/proof/inclusion?index=${index}&size=${index + 1}`;
    const inc = (await (await app.request(url)).json()) as {
      leafHash: string;
      size: number;
      root: string;
      proof: string[];
    };
    assert.equal(inc.leafHash, leaf.toString('base64'));
    verifyInclusion(leaf, index, index + 1, inc.proof.map(b64), b64(inc.root));
    const consistency = `/audit/proof/consistency?from=${index + 1}&to=${next + 1}`;
    const con = (await (await app.request(consistency)).json()) as {
      size: number;
      root: string;
      proof: string[];
    };
    verifyConsistency(index + 1, next + 1, b64(inc.root), b64(con.root), con.proof.map(b64));

    const past = `/audit/entries/${await audit.log.size()}`;
    assert.equal(await code(await app.request(past)), 'RAMPART_AUDIT_NOT_FOUND');
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
      const later = await audit.log.append(event('later'));
      const next = JSON.parse((await rampart(args)).stdout) as { status: string; size: number };
      assert.deepEqual([next.status, next.size], ['extended', later.index + 1]);
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
  it('serves GET /audit/checkpoint to the installed CLI and records server.start and server.stop', async () => {
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

    // The installed binary (the bundle run as a vm.Script) witnesses it too: its outgoing
    // requests once failed there with "A dynamic import callback was not specified".
    const file = path.join(tempDir(), 'witness.json');
    const witness = spawnRampart([
      'audit',
      'witness',
      '--checkpoint-file',
      file,
      '--url',
      url,
      '--json',
    ]);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    witness.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    witness.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    const [witnessCode] = (await once(witness, 'exit')) as [number];
    child.kill('SIGTERM');
    const [exitCode] = (await once(child, 'exit')) as [number];
    assert.equal(exitCode, 0);
    assert.equal(witnessCode, 0, Buffer.concat(err).toString());
    const witnessed = JSON.parse(Buffer.concat(out).toString()) as { status: string };
    assert.equal(witnessed.status, 'first');

    const tail = await rampartAsAdmin(['audit', 'tail', '--home', home, '--json'], home);
    const entries = (JSON.parse(tail.stdout) as { entries: { event: { action: string } }[] })
      .entries;
    assert.deepEqual(
      entries.map((e) => e.event.action),
      ['server.start', 'server.stop', 'audit.read'],
    );
    assert.equal((await rampartAsAdmin(['audit', 'verify', '--home', home], home)).code, 0);
  });
});
