import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { leafHash, parseCheckpoint, verifyConsistency, verifyInclusion } from '../audit/index.js';
import { rampart, type CliRun } from '../../testkit/cli.js';
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
  const run = await rampart(['audit', ...args, '--home', home, '--json']);
  return { ...run, body: JSON.parse(run.stdout) as unknown };
}

function errorCode(run: { body: unknown }): string {
  return (run.body as { error: { code: string } }).error.code;
}

/** Runs the CLI in-process with `input` on stdin. */
async function withStdin(args: string[], input: string): Promise<CliRun> {
  const stdout = new PassThrough();
  const out: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  const code = await runCli(args, {
    stdout,
    stderr: new PassThrough(),
    stdin: Readable.from([Buffer.from(input)]),
    env: {},
    cwd: process.cwd(),
    shutdownSignal: () => Promise.resolve('SIGTERM'),
  });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: '' };
}

async function seeded(count: number): Promise<string> {
  const root = tempDir();
  const home = path.join(root, 'state');
  for (let i = 0; i < count; i++) {
    const file = path.join(root, `event-${i}.json`);
    writeFileSync(file, JSON.stringify(event(`m-${i}`), null, 2));
    const run = await audit(home, ['append', file]);
    assert.equal(run.code, 0, run.stdout);
    assert.equal((run.body as { index: number }).index, i);
  }
  return home;
}

describe('rampart audit', () => {
  it('appends from a file and from stdin, then tails, shows and prints the checkpoint', async () => {
    const home = await seeded(3);
    const piped = await withStdin(
      ['audit', 'append', '-', '--home', home, '--json'],
      JSON.stringify(event('from-stdin')),
    );
    assert.equal(piped.code, 0);
    const receipt = JSON.parse(piped.stdout) as { index: number; checkpoint: string };
    assert.equal(receipt.index, 3);
    assert.equal(
      parseCheckpoint(receipt.checkpoint.slice(0, receipt.checkpoint.indexOf('\n\n') + 1)).size,
      4,
    );

    const tail = await audit(home, ['tail', '--count', '2']);
    const { size, entries } = tail.body as { size: number; entries: { index: number }[] };
    assert.equal(size, 4);
    assert.deepEqual(
      entries.map((e) => e.index),
      [2, 3],
    );
    const shown = (await audit(home, ['show', '3'])).body as {
      event: { resource: { id: string } };
    };
    assert.equal(shown.event.resource.id, 'from-stdin');

    const checkpoint = (await audit(home, ['checkpoint'])).body as Record<string, unknown>;
    assert.equal(checkpoint.size, 4);
    assert.equal(checkpoint.checkpoint, receipt.checkpoint);
    assert.match(String(checkpoint.verifierKey), /^rampart\.local\/audit\/[0-9a-f]{16}\+/);
    const text = await rampart(['audit', 'checkpoint', '--home', home]);
    assert.equal(text.stdout, receipt.checkpoint);
  });

  it('prints inclusion and consistency proofs that verify', async () => {
    const home = await seeded(5);
    const proof = (await audit(home, ['proof', '2', '--size', '4'])).body as {
      index: number;
      size: number;
      leafHash: string;
      root: string;
      proof: string[];
    };
    const entry = (await audit(home, ['show', '2'])).body as { data: string };
    const leaf = leafHash(Buffer.from(entry.data, 'utf8'));
    assert.equal(proof.leafHash, leaf.toString('base64'));
    const b64 = (s: string) => Buffer.from(s, 'base64');
    verifyInclusion(leaf, 2, 4, proof.proof.map(b64), b64(proof.root));

    const consistency = (await audit(home, ['consistency', '4'])).body as {
      size: number;
      root: string;
      proof: string[];
    };
    assert.equal(consistency.size, 5);
    verifyConsistency(4, 5, b64(proof.root), b64(consistency.root), consistency.proof.map(b64));
  });

  it('refuses to read or verify the log of a state folder that does not exist, creating nothing', async () => {
    const home = path.join(tempDir(), 'typo');
    for (const args of [['verify'], ['tail'], ['checkpoint'], ['show', '0']]) {
      const run = await rampart(['audit', ...args, '--home', home]);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /RAMPART_HOME_INVALID/);
    }
    assert.ok(!existsSync(home));
  });

  it('verifies an intact log and names the first tampered index with exit 1', async () => {
    const home = await seeded(4);
    const ok = await audit(home, ['verify']);
    assert.equal(ok.code, 0);
    assert.equal((ok.body as { size: number }).size, 4);
    const db = new Database(path.join(home, 'rampart.db'));
    db.prepare("UPDATE audit_leaves SET data = replace(data, 'm-1', 'm-X') WHERE idx = 1").run();
    db.close();
    const bad = await audit(home, ['verify']);
    assert.equal(bad.code, 1);
    assert.equal(errorCode(bad), 'RAMPART_AUDIT_TAMPERED');
    assert.equal((bad.body as { error: { details: { index: number } } }).error.details.index, 1);
  });

  it('refuses invalid events with exit 2 and appends nothing', async () => {
    const root = tempDir();
    const home = await seeded(1);
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
    assert.equal(((await audit(home, ['tail'])).body as { size: number }).size, 1);
  });

  it('rejects bad actions, arguments and numbers with exit 2 RAMPART_USAGE', async () => {
    const home = await seeded(1);
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
    const missing = await audit(home, ['show', '7']);
    assert.equal(missing.code, 2);
    assert.equal(errorCode(missing), 'RAMPART_AUDIT_NOT_FOUND');
  });

  it('witnesses the local log: pins, accepts growth, refuses another log with exit 1', async () => {
    const home = await seeded(2);
    const file = path.join(tempDir(), 'witness.json');
    const first = await audit(home, ['witness', '--checkpoint-file', file]);
    assert.equal(first.code, 0);
    assert.equal((first.body as { status: string }).status, 'first');
    const copy = path.join(tempDir(), 'copy');
    cpSync(home, copy, { recursive: true });
    const grow = await withStdin(
      ['audit', 'append', '-', '--home', home, '--json'],
      JSON.stringify(event('grow')),
    );
    assert.equal(grow.code, 0);
    const grown = await audit(home, ['witness', '--checkpoint-file', file]);
    assert.deepEqual(
      [(grown.body as { status: string }).status, (grown.body as { size: number }).size],
      ['extended', 3],
    );
    const forked = await withStdin(
      ['audit', 'append', '-', '--home', copy, '--json'],
      JSON.stringify(event('fork')),
    );
    assert.equal(forked.code, 0);
    const fork = await audit(copy, ['witness', '--checkpoint-file', file]);
    assert.equal(fork.code, 1);
    assert.equal(errorCode(fork), 'RAMPART_AUDIT_FORK');
    const other = await audit(await seeded(1), ['witness', '--checkpoint-file', file]);
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
    const tail = (await audit(home, ['tail'])).body as {
      entries: { event: { action: string; actor: { subject: string } } }[];
    };
    assert.deepEqual(
      tail.entries.map((e) => [e.event.action, e.event.actor.subject]),
      [['state.init', 'rampart']],
    );
  });
});
