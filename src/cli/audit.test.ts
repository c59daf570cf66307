import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { leafHash, parseCheckpoint, verifyConsistency, verifyInclusion } from '../audit/index.js';
import { rampart, rampartAsAdmin, type CliRun } from '../../testkit/cli.js';
import { tempDir } from '../../testkit/tmp.js';
import { runCli } from './run.js';

const event = (id: string, extra: Record<string, unknown> = {}) => ({
  actor: { subject: 'alice', type: 'human' },
  action: 'model.promote',
  resource: { type: 'model', id },
  decision: { allowed: true },
  ...extra,
});

/** `rampart audit ... --home <home> --json`, parsed. */
async function audit(home: string, args: string[]): Promise<CliRun & { body: unknown }> {
  const run = await rampartAsAdmin(['audit', ...args, '--home', home, '--json'], home);
  return { ...run, body: JSON.parse(run.stdout) as unknown };
}

function errorCode(run: { body: unknown }): string {
  return (run.body as { error: { code: string } }).error.code;
}

interface TailBody {
  size: number;
  entries: {
    index: number;
    event: { action: string; actor: { subject: string }; decision: { allowed: boolean } };
  }[];
}

/** The admin token `rampart init` wrote into `home`. */
const adminToken = (home: string) => readFileSync(path.join(home, 'admin.token'), 'utf8').trim();

/** Runs the CLI in-process as the admin of `home`, with `input` on stdin. */
async function withStdin(home: string, args: string[], input: string): Promise<CliRun> {
  const stdout = new PassThrough();
  const out: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  const code = await runCli(args, {
    stdout,
    stderr: new PassThrough(),
    stdin: Readable.from([Buffer.from(input)]),
    env: { RAMPART_TOKEN: adminToken(home) },
    cwd: process.cwd(),
    shutdownSignal: () => Promise.resolve('SIGTERM'),
  });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: '' };
}

/** A fresh state folder with `count` appended events; returns it and the events' indexes. */
async function seeded(count: number): Promise<{ home: string; indexes: number[] }> {
  const root = tempDir();
  const home = path.join(root, 'state');
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(root, `event-${i}.json`);
    writeFileSync(file, JSON.stringify(event(`m-${i}`), null, 2));
    const run = await audit(home, ['append', file]);
    assert.equal(run.code, 0, run.stdout);
    indexes.push((run.body as { index: number }).index);
  }
  return { home, indexes };
}

/** The entry at `index`, as `audit show` prints it. */
async function shown(home: string, index: number) {
  const run = await audit(home, ['show', String(index)]);
  assert.equal(run.code, 0, run.stdout);
  return run.body as {
    data: string;
    event: {
      action: string;
      actor: { subject: string };
      resource: { id: string };
      decision: { allowed: boolean };
    };
  };
}

describe('rampart audit', () => {
  it('appends from a file and from stdin, then tails, shows and prints the checkpoint', async () => {
    const { home, indexes } = await seeded(3);
    for (const [i, index] of indexes.entries()) {
      assert.equal((await shown(home, index)).event.resource.id, `m-${i}`);
    }
    const piped = await withStdin(
      home,
      ['audit', 'append', '-', '--home', home, '--json'],
      JSON.stringify(event('from-stdin')),
    );
    assert.equal(piped.code, 0);
    const receipt = JSON.parse(piped.stdout) as { index: number; checkpoint: string };
    const sizeOf = (note: string) => parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1)).size;
    assert.equal(sizeOf(receipt.checkpoint), receipt.index + 1);

    // tail records its own audit.read decision first, then reads: it is the last entry shown.
    const tail = await audit(home, ['tail', '--count', '3']);
    const { size, entries } = tail.body as TailBody;
    assert.equal(size, receipt.index + 2);
    assert.deepEqual(
      entries.map((e) => [e.index, e.event.action, e.event.actor.subject]),
      [
        [receipt.index - 1, 'audit.append', 'admin'],
        [receipt.index, 'model.promote', 'alice'],
        [receipt.index + 1, 'audit.read', 'admin'],
      ],
    );
    assert.equal((await shown(home, receipt.index)).event.resource.id, 'from-stdin');

    // The latest checkpoint already covers the checkpoint command's own audit.read decision.
    const checkpoint = (await audit(home, ['checkpoint'])).body as {
      checkpoint: string;
      size: number;
      verifierKey: string;
    };
    assert.equal(checkpoint.size, sizeOf(checkpoint.checkpoint));
    assert.ok(checkpoint.size > receipt.index + 2);
    const last = await shown(home, checkpoint.size - 1);
    assert.deepEqual([last.event.action, last.event.actor.subject], ['audit.read', 'admin']);
    assert.match(checkpoint.verifierKey, /^rampart\.local\/audit\/[0-9a-f]{16}\+/);
    const text = await rampartAsAdmin(['audit', 'checkpoint', '--home', home], home);
    assert.match(text.stdout, /^rampart\.local\/audit\/[0-9a-f]{16}\n\d+\n[A-Za-z0-9+/=]+\n\n— /);
    assert.equal(sizeOf(text.stdout), checkpoint.size + 2);
  });

  it('prints inclusion and consistency proofs that verify', async () => {
    const { home } = await seeded(2);
    const proof = (await audit(home, ['proof', '2', '--size', '4'])).body as {
      index: number;
      size: number;
      leafHash: string;
      root: string;
      proof: string[];
    };
    const entry = await shown(home, 2);
    const leaf = leafHash(Buffer.from(entry.data, 'utf8'));
    assert.equal(proof.leafHash, leaf.toString('base64'));
    const b64 = (s: string) => Buffer.from(s, 'base64');
    verifyInclusion(leaf, 2, 4, proof.proof.map(b64), b64(proof.root));

    const consistency = (await audit(home, ['consistency', '4'])).body as {
      size: number;
      root: string;
      proof: string[];
    };
    // Without --to the proof reaches the whole log, which by then holds its own audit.read.
    const after = (await audit(home, ['tail', '--count', '0'])).body as TailBody;
    assert.equal(consistency.size, after.size - 1);
    assert.ok(consistency.size > 4);
    verifyConsistency(
      4,
      consistency.size,
      b64(proof.root),
      b64(consistency.root),
      consistency.proof.map(b64),
    );
  });

  it('refuses to use the log of a state folder that does not exist, creating nothing', async () => {
    const root = tempDir();
    const home = path.join(root, 'typo');
    const file = path.join(root, 'event.json');
    writeFileSync(file, JSON.stringify(event('m')));
    for (const args of [['verify'], ['tail'], ['checkpoint'], ['show', '0'], ['append', file]]) {
      const run = await rampart(['audit', ...args, '--home', home], { RAMPART_TOKEN: 'rmp_any' });
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /RAMPART_HOME_INVALID/);
    }
    assert.ok(!existsSync(home));
  });

  it('verifies an intact log and names the first tampered index with exit 1', async () => {
    const { home, indexes } = await seeded(4);
    const ok = await audit(home, ['verify']);
    assert.equal(ok.code, 0);
    // Every entry is checked, up to verify's own audit.read decision after the last event.
    const last = indexes.at(-1) ?? -1;
    assert.equal((ok.body as { size: number }).size, last + 2);
    const tampered = indexes[1] ?? -1;
    const db = new Database(path.join(home, 'rampart.db'));
    db.prepare("UPDATE audit_leaves SET data = replace(data, 'm-1', 'm-X') WHERE idx = ?").run(
      tampered,
    );
    db.close();
    const bad = await audit(home, ['verify']);
    assert.equal(bad.code, 1);
    assert.equal(errorCode(bad), 'RAMPART_AUDIT_TAMPERED');
    assert.equal(
      (bad.body as { error: { details: { index: number } } }).error.details.index,
      tampered,
    );
  });

  it('refuses invalid events with exit 2 and appends nothing', async () => {
    const root = tempDir();
    const { home } = await seeded(1);
    const before = ((await audit(home, ['tail', '--count', '0'])).body as TailBody).size;
    const unknown = path.join(root, 'unknown.json');
    writeFileSync(unknown, JSON.stringify(event('x', { extra: 1 })));
    const invalid = await audit(home, ['append', unknown]);
    assert.equal(invalid.code, 2);
    assert.equal(errorCode(invalid), 'RAMPART_AUDIT_EVENT_INVALID');
    const issues = (invalid.body as { error: { details: { issues: unknown[] } } }).error.details;
    assert.ok(issues.issues.length > 0);
    const notJson = path.join(root, 'bad.json');
    writeFileSync(notJson, '{"actor":');
    assert.equal(errorCode(await audit(home, ['append', notJson])), 'RAMPART_AUDIT_EVENT_INVALID');
    const missing = await audit(home, ['append', path.join(root, 'absent.json')]);
    assert.equal(errorCode(missing), 'RAMPART_FILE_NOT_FOUND');
    const huge = path.join(root, 'huge.json');
    writeFileSync(huge, ' '.repeat(70 * 1024));
    assert.equal(errorCode(await audit(home, ['append', huge])), 'RAMPART_LIMIT_EXCEEDED');
    // No event was appended: anything after the first tail is admin's own decisions only
    // (a well-formed but schema-invalid event is refused after its audit.append decision).
    const after = (await audit(home, ['tail', '--count', '20'])).body as TailBody;
    const since = after.entries.filter((e) => e.index >= before);
    assert.ok(since.length > 0 && since.length < 20);
    assert.deepEqual(
      since.filter(
        (e) => e.event.actor.subject !== 'admin' || !e.event.action.startsWith('audit.'),
      ),
      [],
    );
    assert.equal(since.at(-1)?.event.action, 'audit.read');
  });

  it('rejects bad actions, arguments and numbers with exit 2 RAMPART_USAGE', async () => {
    const { home } = await seeded(1);
    for (const args of [
      ['frobnicate'],
      ['show'],
      ['append', '-'],
      ['verify', 'extra'],
      ['show', '-1'],
      ['show', '1.5'],
      ['proof', '0', '--size', 'x'],
      ['tail', '--count', '99999999'],
      ['witness'],
      ['witness', '--checkpoint-file', 'w.json', '--url', 'ftp://example.com'],
    ]) {
      const run = await audit(home, args);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(errorCode(run), 'RAMPART_USAGE', args.join(' '));
    }
    // One past the end: the log then holds the show's own audit.read at index `size`.
    const { size } = (await audit(home, ['tail', '--count', '0'])).body as TailBody;
    const missing = await audit(home, ['show', String(size + 1)]);
    assert.equal(missing.code, 2);
    assert.equal(errorCode(missing), 'RAMPART_AUDIT_NOT_FOUND');
  });

  it('witnesses the local log: pins, accepts growth, refuses another log with exit 1', async () => {
    const { home } = await seeded(2);
    const file = path.join(tempDir(), 'witness.json');
    const first = await audit(home, ['witness', '--checkpoint-file', file]);
    assert.equal(first.code, 0);
    assert.equal((first.body as { status: string }).status, 'first');
    const copy = path.join(tempDir(), 'copy');
    cpSync(home, copy, { recursive: true });
    const grow = await withStdin(
      home,
      ['audit', 'append', '-', '--home', home, '--json'],
      JSON.stringify(event('grow')),
    );
    assert.equal(grow.code, 0);
    const grownTo = (JSON.parse(grow.stdout) as { index: number }).index + 1;
    const grown = await audit(home, ['witness', '--checkpoint-file', file]);
    // The witnessed checkpoint also covers the witness's own audit.read decision.
    assert.deepEqual(
      [(grown.body as { status: string }).status, (grown.body as { size: number }).size],
      ['extended', grownTo + 1],
    );
    const forked = await withStdin(
      copy,
      ['audit', 'append', '-', '--home', copy, '--json'],
      JSON.stringify(event('fork')),
    );
    assert.equal(forked.code, 0);
    const fork = await audit(copy, ['witness', '--checkpoint-file', file]);
    assert.equal(fork.code, 1);
    assert.equal(errorCode(fork), 'RAMPART_AUDIT_FORK');
    const other = await audit((await seeded(1)).home, ['witness', '--checkpoint-file', file]);
    assert.equal(other.code, 1);
    assert.equal(errorCode(other), 'RAMPART_CHECKPOINT_INVALID');
    assert.match(readFileSync(file, 'utf8'), /"verifierKey"/);
  });

  it('records state.init when rampart init creates the state folder', async () => {
    const home = path.join(tempDir(), 'state');
    const init = await rampart(['init', '--home', home, '--json']);
    assert.equal((JSON.parse(init.stdout) as { auditIndex: number }).auditIndex, 0);
    const again = await rampart(['init', '--home', home, '--json']);
    assert.equal((JSON.parse(again.stdout) as { auditIndex: null }).auditIndex, null);
    const tail = (await audit(home, ['tail'])).body as TailBody;
    assert.deepEqual(
      tail.entries.map((e) => [e.event.action, e.event.actor.subject]),
      [
        ['state.init', 'rampart'],
        ['audit.read', 'admin'],
      ],
    );
  });

  it('refuses to read the log without a token (exit 1) and audits the attempt', async () => {
    const { home } = await seeded(1);
    for (const env of [{}, { RAMPART_TOKEN: 'rmp_not-a-token' }]) {
      const run = await rampart(['audit', 'tail', '--home', home, '--json'], env);
      assert.equal(run.code, 1, run.stdout);
      assert.equal(errorCode({ body: JSON.parse(run.stdout) }), 'RAMPART_UNAUTHENTICATED');
    }
    const tail = (await audit(home, ['tail', '--count', '3'])).body as TailBody;
    assert.deepEqual(
      tail.entries.map((e) => [e.event.action, e.event.actor.subject, e.event.decision.allowed]),
      [
        ['identity.authenticate', 'anonymous', false],
        ['identity.authenticate', 'anonymous', false],
        ['audit.read', 'admin', true],
      ],
    );
  });

  it('refuses to show the log to a principal without an audit-reading role (exit 1)', async () => {
    const { home } = await seeded(1);
    const added = await rampartAsAdmin(
      ['principal', 'add', 'x', '--role', 'ml-engineer', '--home', home],
      home,
    );
    assert.equal(added.code, 0, added.stderr);
    const created = await rampartAsAdmin(
      ['token', 'create', '--principal', 'x', '--home', home, '--json'],
      home,
    );
    assert.equal(created.code, 0, created.stderr);
    const { token } = JSON.parse(created.stdout) as { token: string };
    for (const args of [['tail'], ['show', '0'], ['verify']]) {
      const run = await rampart(['audit', ...args, '--home', home, '--json'], {
        RAMPART_TOKEN: token,
      });
      assert.equal(run.code, 1, args.join(' '));
      const body = JSON.parse(run.stdout) as { error: { code: string }; entries?: unknown };
      assert.equal(body.error.code, 'RAMPART_FORBIDDEN', args.join(' '));
      assert.equal(body.entries, undefined);
    }
    const denied = await rampart(['audit', 'tail', '--home', home, '--token', token]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /RAMPART_FORBIDDEN/);
    assert.doesNotMatch(denied.stdout, /model\.promote/);
    // The refusal is itself an audit entry naming the principal.
    const tail = (await audit(home, ['tail', '--count', '2'])).body as TailBody;
    assert.deepEqual(
      tail.entries.map((e) => [e.event.action, e.event.actor.subject, e.event.decision.allowed]),
      [
        ['audit.read', 'x', false],
        ['audit.read', 'admin', true],
      ],
    );
  });
});
