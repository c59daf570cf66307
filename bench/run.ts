// Entry point for `npm run bench -- <name>`: runs one benchmark and prints its result line.
import { printResult, type BenchResult } from './result.js';

const BENCHES: Record<string, () => Promise<{ run: () => Promise<BenchResult> }>> = {
  hash: () => import('./hash.js'),
  crypt: () => import('./crypt.js'),
  audit: () => import('./audit.js'),
  scan: () => import('./scan.js'),
  sign: () => import('./sign.js'),
  gateway: () => import('./gateway.js'),
  profile: () => import('./profile.js'),
  train: () => import('./train.js'),
};

const name = process.argv[2];
const load = name === undefined ? undefined : BENCHES[name];
if (load === undefined) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}>\n`);
  process.exit(2);
}
const { run } = await load();
printResult(await run());
