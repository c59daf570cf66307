// `npm run bench -- profile [--quick]`: profiles 1M rows × 20 mixed columns (10 floats with 1 %
// missing, 5 integers, 3 categories, 2 booleans; 100k rows with --quick) from CSV and from
// Parquet — profileTable (a Parquet file's row groups split across the cores), best of three,
// with a one-thread run of the same as a baseline — and times the strict
// drift check (compareTables) between two collected tables. Every measurement runs in a fresh
// child process (this file with --child), so each peak RSS is its own. Baseline, where python3
// has numpy and scipy: Evidently's default numeric path on the same CSV files (load with numpy,
// then ks_2samp and the normed Wasserstein distance per numeric column).
import { execFile, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { collectTable, compareTables } from '../src/data/check/index.js';
import { openTable, profileTable } from '../src/data/index.js';
import { round3, timed, warmPageCache, withScratchDir, type BenchResult } from './result.js';

const SELF = fileURLToPath(import.meta.url);
const execFileAsync = promisify(execFile);
const GROUP_ROWS = 100_000;
const CATEGORIES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
const CATEGORICAL = ['s0', 's1', 's2', 'b0', 'b1'];

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Cell = number | string | boolean | null;

// One row group's columns. `shifted` moves f0 and skews s0, so the two tables drift.
function group(
  next: () => number,
  rows: number,
  shifted: boolean,
): { name: string; data: Cell[] }[] {
  const out: { name: string; data: Cell[] }[] = [];
  for (let c = 0; c < 10; c++) {
    const shift = shifted && c === 0 ? 100 : 0;
    const data = Array.from({ length: rows }, () =>
      next() < 0.01 ? null : Math.round((next() * 2000 - 1000 + shift) * 1e4) / 1e4,
    );
    out.push({ name: `f${c}`, data });
  }
  for (let c = 0; c < 5; c++) {
    const data = Array.from({ length: rows }, () => Math.floor(next() * 100_000) - 50_000);
    out.push({ name: `i${c}`, data });
  }
  for (let c = 0; c < 3; c++) {
    const skew = shifted && c === 0 ? 2 : 1;
    const data = Array.from(
      { length: rows },
      () => CATEGORIES[Math.floor(next() ** skew * 8)] ?? '',
    );
    out.push({ name: `s${c}`, data });
  }
  for (let c = 0; c < 2; c++)
    out.push({ name: `b${c}`, data: Array.from({ length: rows }, () => next() < 0.5) });
  return out;
}

function columnData(columns: { name: string; data: Cell[] }[]) {
  return columns.map(({ name, data }) => {
    const kind = name[0];
    if (kind === 'f') return { name, data, type: 'DOUBLE' as const };
    if (kind === 'i')
      return {
        name,
        data: Int32Array.from(data as number[]),
        type: 'INT32' as const,
        nullable: false,
      };
    if (kind === 's') return { name, data, type: 'STRING' as const, nullable: false };
    return { name, data, type: 'BOOLEAN' as const, nullable: false };
  });
}

/**
 * Writes `rows` generated rows as `<stem>.csv` and `<stem>.parquet` (SNAPPY, row groups of 100k)
 * in `dir`, one row group at a time. Exported for scripts/table-fixtures/measure.ts.
 */
export async function writeProfileInputs(
  dir: string,
  stem: string,
  rows: number,
  options: { seed: number; shifted: boolean },
): Promise<{ csv: string; parquet: string }> {
  const csv = path.join(dir, `${stem}.csv`);
  const parquet = path.join(dir, `${stem}.parquet`);
  const next = random(options.seed);
  const out = createWriteStream(csv);
  let writer: ParquetWriter | undefined;
  for (let start = 0; start < rows; start += GROUP_ROWS) {
    const columns = group(next, Math.min(GROUP_ROWS, rows - start), options.shifted);
    if (start === 0) out.write(columns.map((c) => c.name).join(',') + '\n');
    const length = columns[0]?.data.length ?? 0;
    let text = '';
    for (let r = 0; r < length; r++) {
      text += columns.map((c) => String(c.data[r] ?? '')).join(',') + '\n';
    }
    if (!out.write(text)) await once(out, 'drain');
    const data = columnData(columns);
    writer ??= new ParquetWriter({
      writer: fileWriter(parquet),
      schema: schemaFromColumnData({ columnData: data }),
    });
    writer.write({ columnData: data, rowGroupSize: GROUP_ROWS });
  }
  writer?.finish();
  out.end();
  await once(out, 'finish');
  return { csv, parquet };
}

/** What a child reports. */
interface ChildReport {
  readonly seconds: number[];
  readonly extra: Record<string, number>;
  readonly maxRssMb: number;
}

// Child: profile one file `runs` times on `threads` threads (default: every core).
async function profileChild(file: string, runs: number, threads?: number): Promise<ChildReport> {
  const seconds: number[] = [];
  let rows = 0;
  for (let run = 0; run < runs; run++) {
    const { seconds: s, value } = await timed(() => profileTable(file, {}, threads));
    seconds.push(s);
    rows = value.rows;
  }
  return { seconds, extra: { rows }, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

// Child: collect two tables, then time the strict drift check on all and on numeric columns.
async function driftChild(reference: string, current: string): Promise<ChildReport> {
  const collect = await timed(
    async () =>
      [
        await collectTable((await openTable(reference)).batches()),
        await collectTable((await openTable(current)).batches()),
      ] as const,
  );
  const [ref, cur] = collect.value;
  const all = await timed(() => compareTables(ref, cur, { mode: 'strict' }));
  const numeric = await timed(() =>
    compareTables(ref, cur, { mode: 'strict', ignore: CATEGORICAL }),
  );
  return {
    seconds: [all.seconds],
    extra: {
      numeric_s: numeric.seconds,
      collect_s: collect.seconds,
      drifted: all.value.columns.filter((c) => c.drifted).length,
    },
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

async function inChild(args: string[]): Promise<ChildReport> {
  const { stdout } = await execFileAsync(process.execPath, [SELF, '--child', ...args], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as ChildReport;
}

// Evidently's default numeric path (> 1000 rows): ks_2samp p-value and Wasserstein distance
// normed by the reference's standard deviation, per column, on arrays loaded with numpy.
const PYTHON = `
import json, math, sys, time
import numpy as np
from scipy import stats
def load(path):
    with open(path) as f:
        header = f.readline().strip().split(',')
    cols = [i for i, n in enumerate(header) if n[0] in 'fi']
    conv = {i: (lambda s: float(s) if s else math.nan) for i in cols if header[i][0] == 'f'}
    return np.loadtxt(path, delimiter=',', skiprows=1, usecols=cols, converters=conv, dtype=np.float64)
t0 = time.perf_counter(); ref = load(sys.argv[1]); t1 = time.perf_counter()
cur = load(sys.argv[2]); t2 = time.perf_counter()
for j in range(ref.shape[1]):
    r = ref[:, j][~np.isnan(ref[:, j])]; c = cur[:, j][~np.isnan(cur[:, j])]
    stats.ks_2samp(r, c)
    stats.wasserstein_distance(r, c) / np.std(r)
t3 = time.perf_counter()
import scipy
print(json.dumps({'load_s': t1 - t0, 'drift_s': t3 - t2, 'version': f'numpy {np.__version__}, scipy {scipy.__version__}'}))
`;

async function scipyBaseline(
  reference: string,
  current: string,
): Promise<Record<string, number | string>> {
  try {
    execFileSync('python3', ['-c', 'import numpy, scipy'], { stdio: 'ignore' });
  } catch {
    return { scipy: 'skipped: python3 with numpy and scipy is not available' };
  }
  const { stdout } = await execFileAsync('python3', ['-c', PYTHON, reference, current], {
    maxBuffer: 1 << 20,
  });
  const report = JSON.parse(stdout) as { load_s: number; drift_s: number; version: string };
  return {
    scipy_load_csv_s: round3(report.load_s),
    scipy_drift_numeric_s: round3(report.drift_s),
    scipy: report.version,
  };
}

function progress(message: string): void {
  process.stderr.write(`[bench profile] ${message}\n`);
}

async function measure(dir: string, rows: number, runs: number): Promise<BenchResult> {
  const load = os.loadavg()[0] ?? 0;
  progress(`generating ${rows} rows × 20 columns twice (load ${load.toFixed(2)})`);
  const ref = await writeProfileInputs(dir, 'reference', rows, { seed: 42, shifted: false });
  const cur = await writeProfileInputs(dir, 'current', rows, { seed: 7, shifted: true });
  warmPageCache([ref.csv, ref.parquet, cur.csv, cur.parquet]);
  progress('profiling from CSV');
  const csv = await inChild(['profile', ref.csv, String(runs)]);
  progress('profiling from Parquet');
  const parquet = await inChild(['profile', ref.parquet, String(runs)]);
  progress('profiling from Parquet on one thread (baseline)');
  const parquetOne = await inChild(['profile', ref.parquet, String(runs), '1']);
  progress('drift check (strict) between two collected tables');
  const drift = await inChild(['drift', ref.parquet, cur.parquet]);
  progress('scipy baseline');
  const baseline = await scipyBaseline(ref.csv, cur.csv);
  const csvS = Math.min(...csv.seconds);
  const parquetS = Math.min(...parquet.seconds);
  const numericS = drift.extra.numeric_s ?? 0;
  const metrics = {
    rows,
    csv_1m_x20_s: round3(csvS),
    parquet_1m_x20_s: round3(parquetS),
    peak_rss_mb: Math.round(Math.max(csv.maxRssMb, parquet.maxRssMb)),
    csv_peak_rss_mb: Math.round(csv.maxRssMb),
    parquet_peak_rss_mb: Math.round(parquet.maxRssMb),
    drift_1m_x20_s: round3(drift.seconds[0] ?? 0),
    drift_numeric_1m_x15_s: round3(numericS),
    drift_collect_s: round3(drift.extra.collect_s ?? 0),
    drift_peak_rss_mb: Math.round(drift.maxRssMb),
    drifted_columns: drift.extra.drifted ?? 0,
    csv_mb: Math.round(statSync(ref.csv).size / 1e6),
    parquet_mb: Math.round(statSync(ref.parquet).size / 1e6),
    load_1m: round3(load),
  };
  const ratio: Record<string, number> = {};
  if (typeof baseline.scipy_load_csv_s === 'number') {
    ratio.csv_profile_vs_numpy_load = round3(baseline.scipy_load_csv_s / csvS);
  }
  if (typeof baseline.scipy_drift_numeric_s === 'number' && numericS > 0) {
    ratio.drift_numeric_vs_scipy = round3(baseline.scipy_drift_numeric_s / numericS);
  }
  const goal = (name: string, value: number, limit: number): void => {
    progress(
      `goal ${name} ≤ ${limit} s: ${round3(value)} s, ${value <= limit ? 'met' : 'NOT met'}`,
    );
  };
  goal('CSV', csvS, 3);
  goal('Parquet', parquetS, 1);
  const parquetOneS = Math.min(...parquetOne.seconds);
  baseline.parquet_1m_x20_one_thread_s = round3(parquetOneS);
  baseline.parquet_one_thread_peak_rss_mb = Math.round(parquetOne.maxRssMb);
  baseline.threads = os.availableParallelism();
  ratio.parquet_threads_speedup = round3(parquetOneS / parquetS);
  return { bench: 'profile', metrics, baseline, ratio };
}

/** Runs the benchmark (1M rows, best of 3; --quick: 100k rows, best of 2). */
export async function run(): Promise<BenchResult> {
  const quick = process.argv.includes('--quick');
  return withScratchDir('profile', (dir) =>
    measure(dir, quick ? 100_000 : 1_000_000, quick ? 2 : 3),
  );
}

if (process.argv[1] === SELF && process.argv[2] === '--child') {
  const [mode, a = '', b = '', c] = process.argv.slice(3);
  const report =
    mode === 'drift'
      ? await driftChild(a, b)
      : await profileChild(a, Number(b), c === undefined ? undefined : Number(c));
  process.stdout.write(JSON.stringify(report));
}
