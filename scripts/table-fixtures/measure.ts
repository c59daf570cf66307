/**
 * Generates 1M rows × 20 mixed columns as CSV and Parquet in a scratch folder (not committed)
 * and times streaming every batch through the table readers: CSV with the fast splitter, CSV
 * through csv-parse only, and Parquet. Prints one JSON line.
 * Run: node dist/scripts/table-fixtures/measure.js [folder] [rows]
 */
import { createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { openTable } from '../../src/data/index.js';
import { csvRecords } from '../../src/data/table/csv-records.js';

const folder = process.argv[2] ?? '/tmp';
const rows = Number(process.argv[3] ?? 1_000_000);
const CATEGORIES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];

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

// 10 floats, 5 integers, 3 categories, 2 booleans.
function columns(): { name: string; data: (number | string | boolean | null)[] }[] {
  const next = random(42);
  const out: { name: string; data: (number | string | boolean | null)[] }[] = [];
  for (let c = 0; c < 10; c++) {
    out.push({
      name: `f${c}`,
      data: Array.from({ length: rows }, () =>
        next() < 0.01 ? null : Math.round((next() * 2000 - 1000) * 1e4) / 1e4,
      ),
    });
  }
  for (let c = 0; c < 5; c++) {
    out.push({
      name: `i${c}`,
      data: Array.from({ length: rows }, () => Math.floor(next() * 100_000) - 50_000),
    });
  }
  for (let c = 0; c < 3; c++) {
    out.push({
      name: `s${c}`,
      data: Array.from({ length: rows }, () => CATEGORIES[Math.floor(next() * 8)] ?? ''),
    });
  }
  for (let c = 0; c < 2; c++)
    out.push({ name: `b${c}`, data: Array.from({ length: rows }, () => next() < 0.5) });
  return out;
}

async function writeCsv(file: string, data: ReturnType<typeof columns>): Promise<void> {
  const out = createWriteStream(file);
  out.write(data.map((c) => c.name).join(',') + '\n');
  for (let r = 0; r < rows; r++) {
    const line = data.map((c) => String(c.data[r] ?? '')).join(',') + '\n';
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function writeParquet(file: string, data: ReturnType<typeof columns>): void {
  const columnData = data.map(({ name, data: values }) => {
    if (name.startsWith('f')) return { name, data: values, type: 'DOUBLE' as const };
    if (name.startsWith('i'))
      return {
        name,
        data: Int32Array.from(values as number[]),
        type: 'INT32' as const,
        nullable: false,
      };
    if (name.startsWith('s'))
      return { name, data: values, type: 'STRING' as const, nullable: false };
    return { name, data: values, type: 'BOOLEAN' as const, nullable: false };
  });
  writeFileSync(file, Buffer.from(parquetWriteBuffer({ columnData, rowGroupSize: 100_000 })));
}

async function time(run: () => Promise<number>): Promise<{ seconds: number; rows: number }> {
  const start = process.hrtime.bigint();
  const counted = await run();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, rows: counted };
}

async function streamAll(file: string): Promise<number> {
  let count = 0;
  for await (const batch of (await openTable(file)).batches()) count += batch.rows;
  return count;
}

async function splitOnly(file: string, careful: boolean): Promise<number> {
  let count = 0;
  for await (const run of csvRecords({
    path: file,
    delimiter: ',',
    maxRecordBytes: 1 << 20,
    careful,
  }))
    count += run.length;
  return count - 1;
}

const csvFile = join(folder, `table-${rows}x20.csv`);
const parquetFile = join(folder, `table-${rows}x20.parquet`);
if (!existsSync(csvFile) || !existsSync(parquetFile)) {
  const data = columns();
  await writeCsv(csvFile, data);
  writeParquet(parquetFile, data);
}
const result = {
  rows,
  csv_split_fast_s: (await time(() => splitOnly(csvFile, false))).seconds,
  csv_split_csv_parse_s: (await time(() => splitOnly(csvFile, true))).seconds,
  csv_batches_s: (await time(() => streamAll(csvFile))).seconds,
  parquet_batches_s: (await time(() => streamAll(parquetFile))).seconds,
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
};
process.stdout.write(JSON.stringify(result) + '\n');
