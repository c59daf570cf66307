import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { describe, it } from 'node:test';
import { spawnRampart } from '../../testkit/cli.js';
import { repoRoot } from '../../testkit/paths.js';
import { tempDir } from '../../testkit/tmp.js';

/** Runs the bundled `rampart` binary to completion. */
async function bundled(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnRampart(args, env);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

// The `rampart` binary is the esbuild bundle (scripts/bundle.ts): the paths it resolves at run
// time — package.json, worker entry points beside its chunks, the demo trainer — must hold there.
describe('the bundled rampart binary', () => {
  it('prints the version from package.json', async () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    const run = await bundled(['--version']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${pkg.version}\n`);
  });

  it('keeps a V8 code cache per command, replaces a damaged one and keys nothing else', async () => {
    const dir = path.join(repoRoot, 'dist', 'bundle', 'cli');
    const { bundle } = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
      bundle: string;
    };
    const cache = path.join(dir, 'v8-cache', `${bundle}.digest.${process.version}-${process.arch}`);
    const input = path.join(tempDir(), 'x.txt');
    writeFileSync(input, 'x');
    const expected = 'sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881';
    assert.match((await bundled(['digest', input])).stdout, new RegExp(expected));
    assert.ok(existsSync(cache), 'the first run of a command writes its cache');
    const garbage = Buffer.alloc(4096, 0xab);
    writeFileSync(cache, garbage);
    const run = await bundled(['digest', input]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(expected));
    assert.notDeepEqual(readFileSync(cache), garbage, 'a rejected cache is written again');
    await bundled(['no-such-command-x1']);
    assert.ok(
      readdirSync(path.dirname(cache)).every((name) => !name.includes('no-such-command')),
      'only command names key a cache',
    );
  });

  it('refuses to start from a partial build, naming what is missing and how to rebuild', async () => {
    const built = path.join(repoRoot, 'dist', 'bundle', 'cli');
    const partial = tempDir();
    copyFileSync(path.join(built, 'main.js'), path.join(partial, 'main.js'));
    const run = (): Promise<{ code: number; stderr: string }> =>
      promisify(execFile)(process.execPath, [path.join(partial, 'main.js'), '--version']).then(
        () => ({ code: 0, stderr: '' }),
        (error: unknown) => error as { code: number; stderr: string },
      );
    for (const manifest of [undefined, '{"bundle": "rampart-gone.cjs", "commands": []}', '{']) {
      if (manifest !== undefined) writeFileSync(path.join(partial, 'manifest.json'), manifest);
      const { code, stderr } = await run();
      assert.equal(code, 2);
      assert.match(stderr, /RAMPART_INTERNAL: the CLI bundle in .* is incomplete/);
      assert.match(stderr, /npm run build/);
    }
  });

  it('registers a dataset whose large file is hashed by a worker thread, then trains on it', async () => {
    const home = path.join(tempDir(), 'state');
    assert.equal((await bundled(['init', '--home', home])).code, 0);
    const env = { RAMPART_TOKEN: readFileSync(path.join(home, 'admin.token'), 'utf8').trim() };
    const data = tempDir();
    // Above DEFAULT_WORKER_THRESHOLD (16 MiB): hashed in hash-worker.js.
    writeFileSync(path.join(data, 'big.bin'), Buffer.alloc(17 * 1024 * 1024, 7));
    const add = await bundled(['data', 'add', data, '--name', 'big', '--home', home], env);
    assert.equal(add.code, 0, add.stderr);
    const train = await bundled(
      ['train', 'run', '--name', 't', '--data', 'big@1', '--home', home, '--json', '--'].concat([
        process.execPath,
        '-e',
        'if (!process.env.RAMPART_DATA_BIG) process.exit(3)',
      ]),
      env,
    );
    assert.equal(train.code, 0, train.stderr);
    const result = JSON.parse(train.stdout) as { run: { status: string } };
    assert.equal(result.run.status, 'succeeded');
  });
});
