import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, it } from 'node:test';
import { loadPrivateKey, parseEnvelope, toPublicKey, verifyStatement } from '../core/index.js';
import { rampart, rampartAsAdmin, type CliRun } from '../../testkit/cli.js';
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

  it('records a parameters file and a signed base model; refuses a tampered base model', async () => {
    const { root, home } = await setup();
    const params = path.join(root, 'params.yaml');
    writeFileSync(params, 'lr: 0.01\nlayers: [64, 32]\nname: small\n');
    const base = path.join(root, 'base');
    mkdirSync(base);
    writeFileSync(path.join(base, 'weights.bin'), Buffer.alloc(4096, 3));
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const key = path.join(root, 'base.key');
    const pub = path.join(root, 'base.pub');
    writeFileSync(key, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(pub, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    const signed = await rampart(['sign', base, '--key', key, '--home', home]);
    assert.equal(signed.code, 0, signed.stderr);
    const marker = path.join(root, 'ran');
    const command = node(`require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`);
    const args = ['--params', params, '--param', 'lr=0.02', '--base-model', base];

    const run = await train(home, ['run', '--name', 'ft', ...args, '--base-key', pub, ...command]);
    assert.equal(run.code, 0, run.stdout);
    const facts = run.body.run as Json;
    // --param wins over the file; non-text values are canonical JSON.
    assert.deepEqual(facts.parameters, { lr: '0.02', layers: '[64,32]', name: 'small' });
    const { payload } = run.body.provenance as { payload: string };
    const statement = JSON.parse(Buffer.from(payload, 'base64').toString()) as {
      predicate: { buildDefinition: { resolvedDependencies: Json[] } };
    };
    const deps = statement.predicate.buildDefinition.resolvedDependencies.map((d) => d.name);
    assert.ok(deps.includes(`base-model:${base}`) && deps.includes(`params:${params}`));
    assert.equal((await train(home, ['verify', String(facts.id)])).code, 0);

    const noKey = await train(home, ['run', '--name', 'ft', ...args, ...command]);
    assert.equal(noKey.code, 2);
    writeFileSync(path.join(base, 'weights.bin'), Buffer.alloc(4096, 4));
    const tampered = await train(home, [
      'run',
      '--name',
      'ft',
      ...args,
      '--base-key',
      pub,
      ...command,
    ]);
    assert.equal(tampered.code, 1);
    assert.equal((tampered.body.error as Json).code, 'RAMPART_TRAIN_REFUSED');
    assert.match(String((tampered.body.error as Json).message), /base model/);
    assert.equal(existsSync(marker), true, 'only the first run ran');
  });

  it('reproduces a deterministic run byte for byte and names the output that differs', async () => {
    const { root, home } = await setup();
    const out = path.join(root, 'model.txt');
    const deterministic = `require('fs').writeFileSync(${JSON.stringify(out)}, 'seed=' + process.env.RAMPART_SEED + ' data=' + require('fs').readFileSync(process.env.RAMPART_DATA_RAW + '/a.csv', 'utf8'))`;
    const run = await train(home, [
      'run',
      '--name',
      'det',
      '--data',
      'raw@1',
      '--seed',
      '11',
      '--output',
      out,
      ...node(deterministic),
    ]);
    assert.equal(run.code, 0, run.stdout);
    const id = String((run.body.run as Json).id);
    const original = readFileSync(out);
    const again = await train(home, ['reproduce', id]);
    assert.equal(again.code, 0, again.stdout);
    assert.equal(again.body.identical, true);
    assert.deepEqual(readFileSync(out), original, 'the original output is put back');

    const noisy = path.join(root, 'noisy.txt');
    const random = `require('fs').writeFileSync(${JSON.stringify(noisy)}, String(Math.random()))`;
    const second = await train(home, ['run', '--name', 'rnd', '--output', noisy, ...node(random)]);
    const noisyId = String((second.body.run as Json).id);
    const before = readFileSync(noisy, 'utf8');
    const differs = await train(home, ['reproduce', noisyId]);
    assert.equal(differs.code, 1);
    const outputs = differs.body.outputs as Json[];
    assert.deepEqual(
      outputs.map((o) => [o.path, o.identical]),
      [[noisy, false]],
    );
    assert.equal(readFileSync(noisy, 'utf8'), before, 'the original output is put back');
    assert.equal((await train(home, ['verify', noisyId])).code, 0);
  });

  it('refuses to verify or reproduce a run whose stored record was edited', async () => {
    const { root, home } = await setup();
    const marker = path.join(root, 'evil');
    const run = await train(home, ['run', '--name', 'ok', ...node('1')]);
    const id = String((run.body.run as Json).id);
    // An attacker with database access swaps the command the record says was run.
    const evil = [
      process.execPath,
      '-e',
      `require('fs').writeFileSync(${JSON.stringify(marker)},'x')`,
    ];
    const db = new Database(path.join(home, 'rampart.db'));
    db.prepare(
      "UPDATE training_runs SET record = json_set(record, '$.command', json(?)) WHERE id = ?",
    ).run(JSON.stringify(evil), id);
    db.close();
    const verified = await train(home, ['verify', id]);
    assert.equal(verified.code, 1);
    assert.deepEqual(
      (verified.body.broken as Json[]).map((b) => b.link),
      ['record'],
    );
    const reproduced = await train(home, ['reproduce', id]);
    assert.equal(reproduced.code, 1);
    assert.equal((reproduced.body.error as Json).code, 'RAMPART_TRAIN_REFUSED');
    assert.equal(existsSync(marker), false, 'the edited command never ran');
  });

  it('names a changed log or a replaced provenance in train verify', async () => {
    const { home } = await setup();
    const run = await train(home, [
      'run',
      '--name',
      'logs',
      ...node('console.log("epoch 1 loss 0.5")'),
    ]);
    assert.equal(run.code, 0, run.stdout);
    const facts = run.body.run as { id: string; logs: { stdout: string } };
    // One flipped byte in the stored (encrypted) stdout log.
    const hex = facts.logs.stdout.slice('sha256:'.length);
    const blob = path.join(home, 'blobs', 'enc', 'sha256', hex.slice(0, 2), hex.slice(2));
    const bytes = readFileSync(blob);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    writeFileSync(blob, bytes);
    const logBroken = await train(home, ['verify', facts.id]);
    assert.equal(logBroken.code, 1);
    assert.deepEqual(
      (logBroken.body.broken as Json[]).map((b) => b.link),
      ['log:stdout'],
    );

    // A provenance envelope replaced in the database (signed by nobody we trust).
    const other = await train(home, ['run', '--name', 'other', ...node('1')]);
    const db = new Database(path.join(home, 'rampart.db'));
    const donor = db
      .prepare('SELECT provenance FROM training_runs WHERE id = ?')
      .get((other.body.run as Json).id) as { provenance: string };
    db.prepare('UPDATE training_runs SET provenance = ? WHERE id = ?').run(
      donor.provenance,
      facts.id,
    );
    db.close();
    const swapped = await train(home, ['verify', facts.id]);
    assert.equal(swapped.code, 1);
    assert.ok((swapped.body.broken as Json[]).some((b) => b.link === 'provenance'));
  });

  it('refuses a run that asks for isolation where no network namespace can be made', async () => {
    const { root, home } = await setup();
    const marker = path.join(root, 'ran');
    // Without `unshare` on PATH isolation is impossible: the run is refused, never run unisolated.
    const run = await rampartAsAdmin(
      [
        'train',
        'run',
        '--home',
        home,
        '--json',
        '--name',
        'iso',
        '--isolate',
        '--',
        process.execPath,
        '-e',
        `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`,
      ],
      home,
      { PATH: '/nonexistent' },
    );
    assert.equal(run.code, 1, run.stdout);
    assert.equal(((JSON.parse(run.stdout) as Json).error as Json).code, 'RAMPART_TRAIN_REFUSED');
    assert.equal(existsSync(marker), false);
  });
});
