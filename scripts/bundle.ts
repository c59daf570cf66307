// `node dist/scripts/bundle.js`: bundles the compiled CLI (dist/src) into dist/bundle/cli:
//   main.js              the `rampart` binary (src/cli/launcher.ts)
//   rampart-<hash>.cjs   the whole CLI as one CommonJS script, run by main.js with a V8 code cache
//   manifest.json        the bundle's name and the command names (the cache keys)
//   hash-worker.js, hdf5-worker.js, profile-worker.js   worker entry points, where `new URL('./…-worker.js',
//                        import.meta.url)` finds them
// Why: start-up. See docs/development.md ("Build") and docs/benchmarks.md (`train`).
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { COMMAND_NAMES } from '../src/cli/commands/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outdir = path.join(root, 'dist', 'bundle', 'cli');

// Native add-ons, WebAssembly loaded from the package's own folder, and optional native drivers
// stay in node_modules.
const EXTERNAL = ['better-sqlite3', 'onnxruntime-node', 'h5wasm', 'pg', 'pg-native'];

const common: BuildOptions = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  external: EXTERNAL,
  legalComments: 'linked',
  logLevel: 'warning',
};

// A rebuilt bundle gets a new name, so the old files and caches go.
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

const cli = await build({
  ...common,
  stdin: {
    contents: "import { main } from './dist/src/cli/main.js';\nvoid main();\n",
    resolveDir: root,
    sourcefile: 'rampart-entry.js',
  },
  format: 'cjs',
  write: false,
  outfile: path.join(outdir, 'rampart.cjs'),
  // import.meta does not exist in CommonJS: the bundle's own URL stands in for it (the launcher
  // passes the bundle's path as __filename).
  define: { 'import.meta.url': '__rampartModuleUrl' },
  banner: { js: "const __rampartModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
const code = cli.outputFiles.find((file) => file.path.endsWith('.cjs'));
if (code === undefined) throw new Error('esbuild wrote no CLI bundle');
const bundle = `rampart-${createHash('sha256').update(code.contents).digest('hex').slice(0, 16)}.cjs`;
await writeFile(path.join(outdir, bundle), code.contents);
// The licences of bundled dependencies (legalComments: 'linked'; the bundle's last line names
// the file).
for (const file of cli.outputFiles.filter((f) => f !== code)) {
  await writeFile(file.path, file.contents);
}
await writeFile(
  path.join(outdir, 'manifest.json'),
  `${JSON.stringify({ bundle, commands: COMMAND_NAMES }, null, 2)}\n`,
);

await build({
  ...common,
  entryPoints: {
    main: 'dist/src/cli/launcher.js',
    'hash-worker': 'dist/src/core/hash/hash-worker.js',
    'hdf5-worker': 'dist/src/scan/formats/hdf5-worker.js',
    'profile-worker': 'dist/src/data/profile/profile-worker.js',
  },
  outdir,
  format: 'esm',
  // CommonJS dependencies bundled into ES modules still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __rampartRequire } from 'node:module'; const require = __rampartRequire(import.meta.url);",
  },
});
