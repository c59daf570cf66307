import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { rampart, spawnRampart } from '../../testkit/cli.js';
import { tempDir } from '../../testkit/tmp.js';
import { COMMAND_NAMES, loadCommands } from './commands/index.js';

describe('rampart (command line)', () => {
  it('prints help and the version, for the tool and for every command', async () => {
    const help = await rampart(['--help']);
    assert.equal(help.code, 0);
    const COMMANDS = await loadCommands();
    assert.deepEqual(
      COMMANDS.map((c) => c.name),
      COMMAND_NAMES,
      'each loader is named after its command',
    );
    for (const command of COMMANDS) assert.match(help.stdout, new RegExp(`\\b${command.name}\\b`));
    const version = await rampart(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    for (const command of COMMANDS) {
      const run = await rampart([command.name, '--help']);
      assert.equal(run.code, 0, command.name);
      assert.match(run.stdout, new RegExp(`Usage: rampart ${command.name}`));
    }
  });

  it('exits 2 and suggests the right spelling for an unknown command or flag', async () => {
    const command = await rampart(['inti']);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /RAMPART_USAGE/);
    assert.match(command.stderr, /rampart init/);
    const flag = await rampart(['init', '--hom', '/x']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--home/);
    const extra = await rampart(['init', 'surplus']);
    assert.equal(extra.code, 2);
  });

  it('refuses an option that belongs to another action of the command', async () => {
    const home = tempDir();
    const data = await rampart(['data', 'list', '--name', 'x', '--home', home]);
    assert.equal(data.code, 2);
    assert.match(data.stderr, /--name is an option of `data add`, not of `data list`/);
    const audit = await rampart(['audit', 'tail', '--size', '3', '--home', home]);
    assert.equal(audit.code, 2);
    assert.match(audit.stderr, /--size is an option of `audit proof`, not of `audit tail`/);
  });

  it('exits 2 with usage when no command is given', async () => {
    const run = await rampart([]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Usage: rampart <command>/);
  });

  it('reports errors as one JSON document with --json', async () => {
    const run = await rampart([
      'config',
      'check',
      '--json',
      '--config',
      '/nonexistent/rampart.yaml',
    ]);
    assert.equal(run.code, 2);
    const body = JSON.parse(run.stdout) as { error: { code: string; hint: string } };
    assert.equal(body.error.code, 'RAMPART_CONFIG_NOT_FOUND');
    assert.ok(body.error.hint.length > 0);
  });
});

describe('rampart init', () => {
  it('creates the state folder with config, database, keys and a 0600 admin token', async () => {
    const home = path.join(tempDir(), 'state');
    const run = await rampart(['init', '--home', home, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      created: string[];
      store: string;
      schemaVersion: number;
    };
    assert.equal(report.store, 'sqlite');
    assert.ok(report.schemaVersion >= 1);
    for (const file of [
      'rampart.yaml',
      'rampart.db',
      'admin.token',
      'keys/signing.key',
      'keys/checkpoint.key',
      'keys/kek.key',
    ]) {
      assert.ok(existsSync(path.join(home, file)), file);
      assert.ok(report.created.includes(file), `${file} reported`);
    }
    for (const secret of [
      'admin.token',
      'keys/signing.key',
      'keys/checkpoint.key',
      'keys/kek.key',
    ]) {
      assert.equal(statSync(path.join(home, secret)).mode & 0o777, 0o600, secret);
    }
    assert.equal(statSync(home).mode & 0o777, 0o700);
    assert.doesNotMatch(run.stdout, /rmp_/, 'the token itself is never printed');
  });

  it('is idempotent and never overwrites keys or the token', async () => {
    const home = path.join(tempDir(), 'state');
    assert.equal((await rampart(['init', '--home', home])).code, 0);
    const token = readFileSync(path.join(home, 'admin.token'), 'utf8');
    const key = readFileSync(path.join(home, 'keys/signing.key'), 'utf8');
    const again = await rampart(['init', '--home', home, '--json']);
    assert.equal(again.code, 0);
    assert.deepEqual((JSON.parse(again.stdout) as { created: string[] }).created, []);
    assert.equal(readFileSync(path.join(home, 'admin.token'), 'utf8'), token);
    assert.equal(readFileSync(path.join(home, 'keys/signing.key'), 'utf8'), key);
  });

  it('lets two processes create the same state folder at once, sharing one token', async () => {
    for (let round = 0; round < 3; round++) {
      const home = path.join(tempDir(), 'state');
      const runs = [0, 1].map(() => spawnRampart(['init', '--home', home, '--json']));
      const codes = await Promise.all(
        runs.map(async (child) => ((await once(child, 'exit')) as [number | null])[0]),
      );
      assert.deepEqual(codes, [0, 0], `round ${round}`);
      assert.match(readFileSync(path.join(home, 'admin.token'), 'utf8'), /^rmp_/);
      assert.equal((await rampart(['init', '--home', home, '--json'])).code, 0);
    }
  });

  it('takes the state folder from RAMPART_HOME', async () => {
    const home = path.join(tempDir(), 'from-env');
    assert.equal((await rampart(['init'], { RAMPART_HOME: home })).code, 0);
    assert.ok(existsSync(path.join(home, 'rampart.db')));
  });

  it('refuses a corrupt database with exit 2, leaves it untouched and creates nothing else', async () => {
    const home = tempDir();
    const garbage = Buffer.from('this is not a database '.repeat(200));
    writeFileSync(path.join(home, 'rampart.db'), garbage);
    const run = await rampart(['init', '--home', home]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /RAMPART_STORE_CORRUPT/);
    assert.deepEqual(readFileSync(path.join(home, 'rampart.db')), garbage);
    for (const file of ['admin.token', 'keys', 'rampart.yaml', 'blobs']) {
      assert.ok(!existsSync(path.join(home, file)), `${file} left behind`);
    }
  });

  it('refuses an invalid configuration before writing anything', async () => {
    const root = tempDir();
    const config = path.join(root, 'bad.yaml');
    writeFileSync(config, 'server:\n  prt: 1\n');
    const home = path.join(root, 'state');
    const run = await rampart(['init', '--home', home, '--config', config]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /RAMPART_CONFIG_INVALID.*server\.prt/);
    assert.ok(!existsSync(home));
  });

  it('refuses a state folder path that is a file', async () => {
    const file = path.join(tempDir(), 'plain-file');
    writeFileSync(file, 'x');
    const run = await rampart(['init', '--home', file]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /RAMPART_HOME_INVALID/);
  });

  it('refuses a damaged or wrong existing key with exit 2 and keeps it', async () => {
    const home = path.join(tempDir(), 'state');
    assert.equal((await rampart(['init', '--home', home])).code, 0);
    const signing = path.join(home, 'keys/signing.key');
    writeFileSync(signing, '-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n');
    const damaged = await rampart(['init', '--home', home]);
    assert.equal(damaged.code, 2);
    assert.match(damaged.stderr, /RAMPART_KEY_INVALID/);
    writeFileSync(signing, readFileSync(path.join(home, 'keys/checkpoint.key')));
    const wrong = await rampart(['init', '--home', home]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /RAMPART_KEY_INVALID.*expected ecdsa-p256/);
    writeFileSync(path.join(home, 'keys/kek.key'), '{"type":"rampart-kek"}\n');
    assert.match((await rampart(['init', '--home', home])).stderr, /RAMPART_KEY_INVALID/);
  });

  it('refuses a database locked by another process with exit 2 RAMPART_STORE_LOCKED', async () => {
    const home = tempDir();
    const holder = new Database(path.join(home, 'rampart.db'));
    holder.exec('CREATE TABLE held (x)');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const run = await rampart(['init', '--home', home], { RAMPART_STORE_BUSY_TIMEOUT_MS: '50' });
      assert.equal(run.code, 2);
      assert.match(run.stderr, /RAMPART_STORE_LOCKED/);
      for (const file of ['admin.token', 'keys', 'rampart.yaml']) {
        assert.ok(!existsSync(path.join(home, file)), `${file} left behind`);
      }
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('refuses a malformed admin token file', async () => {
    const home = path.join(tempDir(), 'state');
    assert.equal((await rampart(['init', '--home', home])).code, 0);
    writeFileSync(path.join(home, 'admin.token'), 'not-a-token\n');
    const run = await rampart(['init', '--home', home]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /RAMPART_HOME_INVALID/);
  });
});

describe('rampart config', () => {
  it('shows the effective configuration with environment overrides', async () => {
    const home = tempDir();
    const run = await rampart(['config', 'show', '--home', home, '--json'], {
      RAMPART_SERVER_PORT: '9999',
    });
    assert.equal(run.code, 0, run.stderr);
    const body = JSON.parse(run.stdout) as { config: { server: { port: number } } };
    assert.equal(body.config.server.port, 9999);
  });

  it('checks a configuration file and lists every problem', async () => {
    const root = tempDir();
    const good = path.join(root, 'good.yaml');
    writeFileSync(good, 'server:\n  port: 8000\n');
    assert.equal((await rampart(['config', 'check', '--config', good])).code, 0);
    const bad = path.join(root, 'bad.yaml');
    writeFileSync(bad, 'server:\n  port: "x"\nstore:\n  nope: 1\n');
    const run = await rampart(['config', 'check', '--config', bad, '--json']);
    assert.equal(run.code, 2);
    const body = JSON.parse(run.stdout) as { error: { details: { issues: { path: string }[] } } };
    assert.deepEqual(body.error.details.issues.map((i) => i.path).sort(), [
      'server.port',
      'store.nope',
    ]);
  });

  it('rejects an unknown action', async () => {
    assert.equal((await rampart(['config', 'shw'])).code, 2);
  });
});
