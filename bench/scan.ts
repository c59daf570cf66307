// `npm run bench -- scan [--quick]`: the artefact scanner on a ~1 GB pickle of byte payloads, an
// opcode-dense pickle of 11 M floats and a ~5 GB PyTorch-style zip, each next to the time to just
// read the same file. Every scan runs in a fresh child process (this file with --child), so its
// peak RSS is that scan's alone.
import { execFile } from 'node:child_process';
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  writeBlobPickle,
  writeDensePickle,
  writeTorchZip,
} from '../scripts/scan-fixtures/bench-inputs.js';
import { scanPaths, verdict } from '../src/scan/index.js';
import { round3, timed, withScratchDir, type BenchResult } from './result.js';

const MIB = 1024 * 1024;
const SELF = fileURLToPath(import.meta.url);
const execFileAsync = promisify(execFile);
// Published figures quoted in issue 4, not measured here.
const PICKLESCAN_BLOB_GB_S = 1.67;
const PICKLESCAN_DENSE_MB_S = 8.2;

interface Sizes {
  readonly blobChunks: number;
  readonly blobChunkSize: number;
  readonly floats: number;
  readonly zipStorages: number;
  readonly zipStorageSize: number;
  readonly runs: number;
}

const FULL: Sizes = {
  blobChunks: 16,
  blobChunkSize: 64 * MIB,
  floats: 11_000_000,
  zipStorages: 10,
  zipStorageSize: 512 * MIB,
  runs: 3,
};
const QUICK: Sizes = {
  blobChunks: 4,
  blobChunkSize: 64 * MIB,
  floats: 1_100_000,
  zipStorages: 4,
  zipStorageSize: 128 * MIB,
  runs: 1,
};

/** What one child scan reports. */
interface ChildReport {
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly verdict: number;
  readonly findings: number;
  readonly problems: number;
  readonly bytesRead: number;
}

interface Case {
  readonly scan: ChildReport;
  readonly readSeconds: number;
  readonly size: number;
}

function progress(message: string): void {
  process.stderr.write(`[bench scan] ${message}\n`);
}

// The child: scan one file, report time, verdict and peak RSS on stdout.
async function child(file: string): Promise<void> {
  const { seconds, value } = await timed(() => scanPaths([file]));
  const report: ChildReport = {
    seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    verdict: verdict(value),
    findings: value.findings.length,
    problems: value.problems.length,
    bytesRead: value.bytes,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function scanInChild(file: string): Promise<ChildReport> {
  const { stdout } = await execFileAsync(process.execPath, [SELF, '--child', file], {
    maxBuffer: 16 * MIB,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildReport;
}

/** Reads the whole file in 4 MiB pieces (FileSource's chunk size): the I/O floor of a scan. */
function readAll(file: string): number {
  const buffer = Buffer.allocUnsafe(4 * MIB);
  const fd = openSync(file, 'r');
  let total = 0;
  try {
    for (let got = readSync(fd, buffer); got > 0; got = readSync(fd, buffer)) total += got;
  } finally {
    closeSync(fd);
  }
  return total;
}

async function measure(file: string, size: number, runs: number): Promise<Case> {
  readAll(file); // warm the page cache
  const scans: ChildReport[] = [];
  let readSeconds = Infinity;
  for (let round = 1; round <= runs; round++) {
    const scan = await scanInChild(file);
    const read = await timed(() => readAll(file));
    progress(
      `${path.basename(file)} round ${round}: scan ${scan.seconds.toFixed(3)} s, ` +
        `read ${read.seconds.toFixed(3)} s, rss ${scan.maxRssMb.toFixed(1)} MB`,
    );
    scans.push(scan);
    readSeconds = Math.min(readSeconds, read.seconds);
  }
  const fastest = scans.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  if (fastest.verdict !== 0) {
    progress(`warning: ${path.basename(file)} did not scan clean (verdict ${fastest.verdict})`);
  }
  // Time is the best run; memory the worst, so a lucky run cannot hide growth.
  const maxRssMb = Math.max(...scans.map((s) => s.maxRssMb));
  return { scan: { ...fastest, maxRssMb }, readSeconds, size };
}

async function measureAll(dir: string, sizes: Sizes): Promise<BenchResult> {
  const blobFile = path.join(dir, 'blobs.pkl');
  const denseFile = path.join(dir, 'floats.pkl');
  const zipFile = path.join(dir, 'model.pt');
  progress(`generating ${dir}`);
  const blobSize = writeBlobPickle(blobFile, sizes.blobChunks, sizes.blobChunkSize);
  const denseSize = writeDensePickle(denseFile, sizes.floats);
  const zipSize = writeTorchZip(zipFile, sizes.zipStorages, sizes.zipStorageSize);
  const blob = await measure(blobFile, blobSize, sizes.runs);
  rmSync(blobFile);
  const dense = await measure(denseFile, denseSize, sizes.runs);
  const zip = await measure(zipFile, zipSize, sizes.runs);
  return result(sizes, blob, dense, zip);
}

function result(sizes: Sizes, blob: Case, dense: Case, zip: Case): BenchResult {
  const gbS = (c: Case, seconds: number): number => c.size / 1e9 / seconds;
  const mbS = (c: Case, seconds: number): number => c.size / 1e6 / seconds;
  const blobGbS = gbS(blob, blob.scan.seconds);
  const readBlobGbS = gbS(blob, blob.readSeconds);
  const denseMbS = mbS(dense, dense.scan.seconds);
  const readDenseMbS = mbS(dense, dense.readSeconds);
  return {
    bench: 'scan',
    metrics: {
      blob_pickle_gb_s: round3(blobGbS),
      dense_pickle_mb_s: round3(denseMbS),
      zip_5gb_s: round3(zip.scan.seconds),
      peak_rss_mb: round3(Math.max(blob.scan.maxRssMb, dense.scan.maxRssMb, zip.scan.maxRssMb)),
      blob_rss_mb: round3(blob.scan.maxRssMb),
      dense_rss_mb: round3(dense.scan.maxRssMb),
      zip_rss_mb: round3(zip.scan.maxRssMb),
      zip_bytes_read_mb: round3(zip.scan.bytesRead / 1e6),
      blob_gb: round3(blob.size / 1e9),
      dense_mb: round3(dense.size / 1e6),
      zip_gb: round3(zip.size / 1e9),
      verdicts_not_clean: [blob, dense, zip].filter((c) => c.scan.verdict !== 0).length,
    },
    baseline: {
      read_blob_gb_s: round3(readBlobGbS),
      read_dense_mb_s: round3(readDenseMbS),
      read_zip_s: round3(zip.readSeconds),
      picklescan_blob_gb_s: PICKLESCAN_BLOB_GB_S,
      picklescan_dense_mb_s: PICKLESCAN_DENSE_MB_S,
      input: `${sizes.blobChunks} x ${sizes.blobChunkSize / MIB} MiB BINBYTES8; ${sizes.floats} BINFLOATs; ${sizes.zipStorages} x ${sizes.zipStorageSize / MIB} MiB sparse zip members; page cache warm; best of ${sizes.runs}; picklescan figures are issue 4's, not this run's`,
    },
    ratio: {
      blob_vs_read: round3(blobGbS / readBlobGbS),
      dense_vs_read: round3(denseMbS / readDenseMbS),
      zip_read_vs_scan: round3(zip.readSeconds / zip.scan.seconds),
      blob_vs_picklescan: round3(blobGbS / PICKLESCAN_BLOB_GB_S),
      dense_vs_picklescan: round3(denseMbS / PICKLESCAN_DENSE_MB_S),
    },
  };
}

/** Runs the benchmark and returns its result line. */
export async function run(): Promise<BenchResult> {
  const sizes = process.argv.includes('--quick') ? QUICK : FULL;
  return withScratchDir('scan', (dir) => measureAll(dir, sizes));
}

const childFile = process.argv[2] === '--child' ? process.argv[3] : undefined;
if (process.argv[1] === SELF && childFile !== undefined) await child(childFile);
