import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadPrivateKey, parseEnvelope, toPublicKey, verifyStatement } from '../core/index.js';
import { rampartAsAdmin, type CliRun } from '../../testkit/cli.js';
import { sharedRoot } from '../../testkit/paths.js';
import { tempDir } from '../../testkit/tmp.js';

const PYPA = path.join(sharedRoot, 'data', 'pypa-advisory-db');
const ENV = { PATH: process.env.PATH ?? '', SECRET_TOKEN: 'hunter2-do-not-leak' };

type Json = Record<string, unknown>;

/** `rampart train <action> --home <home> --json ...` (options before `--`), parsed. */
async function train(home: string, args: string[]): Promise<CliRun & { body: Json }> {
  const run = await rampartAsAdmin(
    ['train', args[0] ?? '', '--home', home, '--json', ...args.slice(1)],
    home,
    ENV,
  );
  return { ...run, body: JSON.parse(run.stdout) as Json };
}

/** A state folder with dataset raw@1 (one CSV file). */
async function setup(): Promise<{ root: string; home: string; folder: string }> {
  const root = tempDir();
  const home = path.join(root, 'state');
  const folder = path.join(root, 'raw');
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'a.csv'), 'id,x\n1,2\n');
  const added = await rampartAsAdmin(
    ['data', 'add', folder, '--name', 'raw', '--home', home],
    home,
  );
  assert.equal(added.code, 0, added.stderr);
  return { root, home, folder };
}

/** `node -e <script>` as the training command (argv, no shell). */
const node = (script: string) => ['--', process.execPath, '-e', script];

describe('rampart train', () => {
  it('runs a command with verified data, signs SLSA provenance and verifies the run', async () => {
    const { root, home, folder } = await setup();
    const out = path.join(root, 'model.json');
    const script = `const fs=require('fs');const d=fs.readFileSync(process.env.RAMPART_DATA_RAW+'/a.csv','utf8');fs.writeFileSync(${JSON.stringify(out)},JSON.stringify({d,seed:process.env.RAMPART_SEED,env:Object.keys(process.env).sort()}));console.log('trained')`;
    const run = await train(home, [
      'run',
      '--name',
      'demo',
      '--data',
      'raw@1',
      '--param',
      'lr=0.1',
      '--seed',
      '7',
      '--output',
      out,
      ...node(script),
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const written = JSON.parse(readFileSync(out, 'utf8')) as {
      d: string;
      seed: string;
      env: string[];
    };
    assert.equal(written.d, 'id,x\n1,2\n');
    assert.equal(written.seed, '7');
    // Only the allowlist reaches the command: no secret, no token.
    assert.deepEqual(written.env, ['PATH', 'PYTHONHASHSEED', 'RAMPART_DATA_RAW', 'RAMPART_SEED']);
    assert.ok(!run.stdout.includes('hunter2'));

    const facts = run.body.run as Json;
    assert.equal(facts.status, 'succeeded');
    const outputs = run.body.outputs as { path: string; digest: string }[];
    assert.equal(outputs[0]?.path, out);
    const trusted = toPublicKey(await loadPrivateKey(path.join(home, 'keys', 'signing.key')));
    const { statement } = verifyStatement(parseEnvelope(run.body.provenance), [trusted]);
    assert.equal(statement.predicateType, 'https://slsa.dev/provenance/v1');
    assert.equal(statement.subject[0]?.digest.sha256, outputs[0].digest.slice(7));
    const predicate = statement.predicate as {
      buildDefinition: {
        buildType: string;
        externalParameters: Json;
        resolvedDependencies: Json[];
      };
      runDetails: {
        builder: { id: string };
        metadata: Json;
        byproducts: Json[];
        isolation: Json;
        principal: Json;
      };
    };
    assert.equal(predicate.buildDefinition.buildType, 'https://rampart.dev/train/v1');
    assert.deepEqual(predicate.buildDefinition.externalParameters.parameters, { lr: '0.1' });
    assert.equal(predicate.buildDefinition.externalParameters.seed, 7);
    const deps = predicate.buildDefinition.resolvedDependencies.map((d) => d.name);
    assert.ok(deps.includes('dataset:raw@1'));
    // The test runs inside the project's git checkout: the code commit is recorded.
    assert.ok(deps.includes('code'));
    assert.equal(predicate.runDetails.builder.id, 'https://rampart.dev/builder/local');
    assert.equal(predicate.runDetails.metadata.invocationId, facts.id);
    assert.equal(predicate.runDetails.byproducts.length, 2);
    assert.deepEqual(predicate.runDetails.isolation, { requested: false, held: false });
    assert.equal(predicate.runDetails.principal.subject, 'admin');

    const id = String(facts.id);
    const verified = await train(home, ['verify', id]);
    assert.equal(verified.code, 0, verified.stdout);
    const shown = await train(home, ['show', id]);
    assert.equal((shown.body.run as Json).name, 'demo');
    const listed = await train(home, ['list']);
    assert.equal((listed.body.runs as Json[]).length, 1);

    // One changed byte of the output breaks the chain, and verify names the link.
    writeFileSync(out, readFileSync(out, 'utf8').replace('7', '8'));
    const broken = await train(home, ['verify', id]);
    assert.equal(broken.code, 1);
    assert.deepEqual(
      (broken.body.broken as Json[]).map((b) => b.link),
      [`output:${out}`],
    );
    // So does a change to the dataset it was trained on.
    writeFileSync(path.join(folder, 'a.csv'), 'id,x\n1,3\n');
    const both = await train(home, ['verify', id]);
    assert.deepEqual(
      (both.body.broken as Json[]).map((b) => b.link),
      [`output:${out}`, 'dataset:raw@1'],
    );
  });

  it('records a failing command as a failed run and exits 1', async () => {
    const { home } = await setup();
    const run = await train(home, [
      'run',
      '--name',
      'bad',
      ...node('console.error("boom");process.exit(3)'),
    ]);
    assert.equal(run.code, 1);
    const facts = run.body.run as Json;
    assert.deepEqual([facts.status, facts.exitCode], ['failed', 3]);
    const listed = await train(home, ['list']);
    assert.equal((listed.body.runs as Json[])[0]?.status, 'failed');
    assert.equal((await train(home, ['verify', String(facts.id)])).code, 0);
  });

  it('refuses a run on a tampered dataset or a vulnerable lockfile; the command never runs', async () => {
    const { root, home, folder } = await setup();
    const marker = path.join(root, 'ran');
    const command = node(`require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`);
    const lockfile = path.join(root, 'requirements.txt');
    writeFileSync(lockfile, `jinja2==2.10 --hash=sha256:${'ab'.repeat(32)}\n`);
    const vulnerable = await train(home, [
      'run',
      '--name',
      'x',
      '--lockfile',
      lockfile,
      '--db',
      PYPA,
      ...command,
    ]);
    assert.equal(vulnerable.code, 1);
    assert.equal((vulnerable.body.error as Json).code, 'RAMPART_TRAIN_REFUSED');
    assert.match(String((vulnerable.body.error as Json).message), /PYSEC-2019-217|PYSEC-2021-66/);

    writeFileSync(path.join(folder, 'a.csv'), 'tampered\n');
    const tampered = await train(home, ['run', '--name', 'x', '--data', 'raw@1', ...command]);
    assert.equal(tampered.code, 1);
    assert.equal((tampered.body.error as Json).code, 'RAMPART_TRAIN_REFUSED');
    assert.equal(existsSync(marker), false);
    assert.equal(((await train(home, ['list'])).body.runs as Json[]).length, 0);
    const tail = await rampartAsAdmin(
      ['audit', 'tail', '--count', '20', '--home', home, '--json'],
      home,
    );
    const refusals = (JSON.parse(tail.stdout) as { entries: { event: Json }[] }).entries
      .map((e) => e.event)
      .filter((e) => e.action === 'train.run' && (e.decision as Json).allowed === false);
    assert.equal(refusals.length, 2, 'each refused run is an audit entry');
  });

  const unshare =
    spawnSync('unshare', ['-n', 'true']).status === 0 ||
    spawnSync('unshare', ['-r', '-n', 'true']).status === 0;
  it(
    '--isolate blocks the network',
    { skip: unshare ? false : 'unshare -n is not possible on this machine' },
    async () => {
      const { root, home } = await setup();
      const server = createServer((socket) => socket.end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const out = path.join(root, 'net.txt');
        const script = `const s=require('net').connect(${port},'127.0.0.1');const w=(t)=>require('fs').writeFileSync(${JSON.stringify(out)},t);s.on('connect',()=>{w('connected');s.destroy()});s.on('error',()=>w('blocked'))`;
        const open = await train(home, ['run', '--name', 'net', '--output', out, ...node(script)]);
        assert.equal(open.code, 0, open.stdout);
        assert.equal(readFileSync(out, 'utf8'), 'connected');
        const isolated = await train(home, [
          'run',
          '--name',
          'net',
          '--isolate',
          '--output',
          out,
          ...node(script),
        ]);
        assert.equal(isolated.code, 0, isolated.stdout);
        assert.equal(readFileSync(out, 'utf8'), 'blocked');
        const isolation = (isolated.body.run as { isolation: Json }).isolation;
        assert.equal(isolation.held, true);
      } finally {
        server.close();
      }
    },
  );
});
