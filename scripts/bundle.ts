// `node dist/scripts/bundle.js`: bundles the compiled CLI (dist/src) into dist/bundle/cli, the
// `rampart` binary. Startup is the cost it cuts: a `train run` loads ~340 ES modules from the
// compiled tree and ~15 files from the bundle (docs/benchmarks.md, `train`). Commands stay
// lazily loaded (code splitting). Worker entry points sit beside the chunks, where
// `new URL('./…-worker.js', import.meta.url)` finds them.
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));

// Native add-ons, WebAssembly loaded from the package's own folder, and optional native
// drivers stay in node_modules.
const EXTERNAL = ['better-sqlite3', 'onnxruntime-node', 'h5wasm', 'pg', 'pg-native'];

// Chunk names carry content hashes: clear the previous build so stale chunks do not pile up.
await rm(new URL('../bundle/cli/', import.meta.url), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'dist/src/cli/main.js',
    'hash-worker': 'dist/src/core/hash/hash-worker.js',
    'hdf5-worker': 'dist/src/scan/formats/hdf5-worker.js',
  },
  outdir: 'dist/bundle/cli',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: EXTERNAL,
  // CommonJS dependencies bundled into ES modules still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __rampartRequire } from 'node:module'; const require = __rampartRequire(import.meta.url);",
  },
  legalComments: 'linked',
  logLevel: 'warning',
});
