// Benchmark `sign`: sign and verify a generated model folder (a few multi-GiB files plus 1,000
// small files, from the page cache) next to the parallel node:crypto SHA-256 limit on the same
// files, then an incremental re-verify of the unchanged folder. `--quick`: about 1 GiB.
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { HashPool } from '../src/core/index.js';
import { signModel, verifyModel } from '../src/registry/index.js';
import { generateFiles, hashRanges } from './generate.js';
import { round3, timed, withScratchDir, type BenchResult, warmPageCache } from './result.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const SMALL_FILES = 1000;
const RUNS = 2;

function progress(message: string): void {
  process.stderr.write(`[bench sign] ${message}\n`);
}

async function best<T>(label: string, fn: () => Promise<T>): Promise<number> {
  let seconds = Infinity;
  for (let round = 1; round <= RUNS; round++) {
    const result = await timed(fn);
    progress(`${label} round ${round}: ${result.seconds.toFixed(3)} s`);
    seconds = Math.min(seconds, result.seconds);
  }
  return seconds;
}

/** Runs the benchmark and returns its result line. */
export async function run(): Promise<BenchResult> {
  const quick = process.argv.includes('--quick');
  const bigFiles = 3;
  const bigSize = quick ? 300 * MIB : (7 * GIB) / 3 - (((7 * GIB) / 3) % MIB);
  const smallSize = MIB;
  return withScratchDir('sign', async (dir) => {
    const model = path.join(dir, 'model');
    progress(`generating ${bigFiles} x ${bigSize / MIB} MiB + ${SMALL_FILES} x 1 MiB`);
    const files = generateFiles(model, {
      bigFiles,
      bigSize,
      smallFiles: SMALL_FILES,
      smallSize,
      bigName: (i) => `model-0000${i}.safetensors`,
      smallName: (i) => path.join(`extra-${i % 10}`, `f-${i}.bin`),
    });
    const sizes = files.map((_, i) => (i < bigFiles ? bigSize : smallSize));
    const total = sizes.reduce((a, b) => a + b, 0);
    warmPageCache(files);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pool = new HashPool();
    const cacheFolder = path.join(dir, 'cache');
    try {
      const limitS = await best('limit', () => hashRanges(pool, files, sizes));
      const signS = await best('sign', () =>
        signModel(model, { privateKey, method: 'shards', pool }),
      );
      const verify = (readCache: boolean) =>
        verifyModel(model, { publicKey, pool, cacheFolder, readCache });
      const verifyS = await best('verify', () => verify(false));
      // Best of RUNS, like the other figures; every run must answer every file from the cache.
      const incrementalS = await best('incremental verify', async () => {
        const result = await verify(true);
        if (!result.ok || result.cacheHits !== files.length) {
          throw new Error('incremental verify did not answer every file from the cache');
        }
      });
      const gib = total / GIB;
      const peakRss = process.resourceUsage().maxRSS / 1024;
      return {
        bench: 'sign',
        metrics: {
          sign_gib_s: round3(gib / signS),
          verify_gib_s: round3(gib / verifyS),
          limit_gib_s: round3(gib / limitS),
          incremental_verify_s: round3(incrementalS),
          peak_rss_mb: round3(peakRss),
          size_gib: round3(gib),
          workers: pool.size,
        },
        baseline: { limit: 'parallel node:crypto SHA-256, 256 MiB ranges, same files, same pool' },
        ratio: {
          sign_vs_limit: round3(limitS / signS),
          verify_vs_limit: round3(limitS / verifyS),
          incremental_vs_full: round3(incrementalS / verifyS),
        },
      };
    } finally {
      await pool.close();
    }
  });
}
