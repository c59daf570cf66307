#!/usr/bin/env node
/**
 * The `rampart` binary, bundled by scripts/bundle.ts into dist/bundle/cli/main.js beside the
 * CLI bundle (one CommonJS file) and its manifest. It runs the bundle through `vm.Script` with a
 * V8 code cache, which Node 20 offers for scripts but not for ES modules: a short command then
 * skips parsing ~5 MB of JavaScript and compiling the functions it calls, most of its start-up.
 *
 * The cache is kept per command in `v8-cache/` beside the bundle and written when a command
 * first runs (or V8 rejected the old one: another Node version or other V8 flags). Its name
 * carries the bundle's content hash, so a rebuilt bundle never meets an old cache; V8 checks
 * its own version and flags. Where the folder is not writable, rampart runs without a cache.
 * Only Node's built-in modules may be imported here.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/** What scripts/bundle.ts wrote beside this file. */
interface BundleManifest {
  /** The CommonJS bundle's file name, with its content hash. */
  readonly bundle: string;
  /** Command names: the only cache keys besides `none`. */
  readonly commands: readonly string[];
}

type CommonJsBody = (
  exports: object,
  require: NodeJS.Require,
  module: { exports: object },
  filename: string,
  dirname: string,
) => void;

const dir = path.dirname(fileURLToPath(import.meta.url));
const { manifest, bundleSource } = readBundle(dir);
const file = path.join(dir, manifest.bundle);
const command = process.argv.slice(2).find((arg) => !arg.startsWith('-')) ?? '';
const key = manifest.commands.includes(command) ? command : 'none';
const cacheFile = path.join(
  dir,
  'v8-cache',
  `${manifest.bundle}.${key}.${process.version}-${process.arch}`,
);

const cachedData = readCache(cacheFile);
// The CommonJS wrapper on the first line, so line numbers in stack traces stay the bundle's.
const source = `(function (exports, require, module, __filename, __dirname) {${bundleSource}\n})`;
const script = new vm.Script(source, {
  filename: file,
  // Without it, an import() anywhere in the bundle throws "A dynamic import callback was not
  // specified" (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  ...(cachedData === undefined ? {} : { cachedData }),
});
if (cachedData === undefined || script.cachedDataRejected === true) {
  // At exit, so the cache holds the functions this command compiled, not only the top level.
  process.once('exit', () => {
    saveCache(script, cacheFile);
  });
}
const body = script.runInThisContext() as CommonJsBody;
const module = { exports: {} };
body(module.exports, createRequire(file), module, file, dir);

/**
 * The manifest and the bundle it names. A partial build cannot run: it is reported the way the
 * CLI reports errors (exit 2), since nothing of the CLI is loaded yet.
 */
function readBundle(folder: string): { manifest: BundleManifest; bundleSource: string } {
  try {
    const manifest = JSON.parse(
      readFileSync(path.join(folder, 'manifest.json'), 'utf8'),
    ) as BundleManifest;
    if (typeof manifest.bundle !== 'string' || !Array.isArray(manifest.commands)) {
      throw new Error('manifest.json does not name a bundle and its commands');
    }
    return { manifest, bundleSource: readFileSync(path.join(folder, manifest.bundle), 'utf8') };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `rampart: error RAMPART_INTERNAL: the CLI bundle in ${folder} is incomplete (${reason})\n` +
        '  hint: Rebuild it with `npm run build` (npm install does this too).\n',
    );
    process.exit(2);
  }
}

function readCache(cache: string): Buffer | undefined {
  try {
    return readFileSync(cache);
  } catch {
    return undefined;
  }
}

function saveCache(compiled: vm.Script, cache: string): void {
  const temporary = `${cache}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(cache), { recursive: true });
    writeFileSync(temporary, compiled.createCachedData(), { mode: 0o644 });
    // Atomic: a concurrent run reads the old cache, the new one or none, never half of one.
    renameSync(temporary, cache);
  } catch {
    // A read-only installation runs without a cache; never fail a command over it.
  }
}
