/**
 * Where the table readers spend their time, on the generated 1M rows × 20 mixed columns of
 * `npm run bench -- profile` (CSV and Parquet, written to a folder and kept there, not
 * committed). Times: the CSV record splitter (fast path, and csv-parse alone), CSV batches,
 * hyparquet's own column scan (parquetScan.readColumn, which the reader used before), our page
 * decoding alone, Parquet batches, and each format with ProfileBuilder. Prints one JSON line.
 * Run: node dist/scripts/table-fixtures/measure.js [folder] [rows]
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetMetadataAsync, parquetScan } from 'hyparquet';
import type { AsyncBuffer } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { writeProfileInputs } from '../../bench/profile.js';
import { openTable, ProfileBuilder } from '../../src/data/index.js';
import { csvRecords } from '../../src/data/table/csv-records.js';
import {
  chunkRange,
  columnDecoder,
  decodeChunk,
  groupRows,
} from '../../src/data/table/parquet-pages.js';

const folder = process.argv[2] ?? '/tmp';
const rows = Number(process.argv[3] ?? 1_000_000);

async function seconds(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Math.round(Number(process.hrtime.bigint() - start) / 1e6) / 1e3;
}

async function streamAll(file: string, profile: boolean): Promise<void> {
  const builder = new ProfileBuilder();
  for await (const batch of (await openTable(file)).batches()) if (profile) builder.add(batch);
  builder.finish();
}

async function splitOnly(file: string, careful: boolean): Promise<void> {
  const options = { path: file, delimiter: ',', maxRecordBytes: 1 << 20, careful };
  for await (const run of csvRecords(options)) if (run.length < 0) break;
}

// Reads `file` through an AsyncBuffer; closes it when `use` is done.
async function withBuffer(
  file: string,
  use: (buffer: AsyncBuffer) => Promise<void>,
): Promise<void> {
  const handle = await open(file, 'r');
  const size = (await handle.stat()).size;
  try {
    await use({
      byteLength: size,
      async slice(start: number, end = size) {
        const out = Buffer.alloc(end - start);
        await handle.read(out, 0, out.length, start);
        return out.buffer.slice(out.byteOffset, out.byteOffset + out.length);
      },
    });
  } finally {
    await handle.close();
  }
}

// hyparquet's own column reader: every column of every range, as the reader did before.
async function hyparquetScan(file: string): Promise<void> {
  await withBuffer(file, async (buffer) => {
    const scan = await parquetScan({ file: buffer, compressors, utf8: true });
    const names = scan.metadata.schema.slice(1).map((e) => e.name);
    for (const range of scan.ranges) {
      await Promise.all(names.map((column) => scan.readColumn({ column, ...range })));
    }
  });
}

// Our page decoding alone (dense values and null masks), without filling batches.
async function decodeOnly(file: string): Promise<void> {
  await withBuffer(file, async (buffer) => {
    const metadata = await parquetMetadataAsync(buffer);
    const names = metadata.schema.slice(1).map((e) => e.name);
    for (const group of metadata.row_groups) {
      for (const [c, chunk] of group.columns.entries()) {
        const { start, end } = chunkRange(file, chunk);
        const bytes = new Uint8Array(await buffer.slice(start, end));
        const decoder = columnDecoder(file, metadata, chunk, names[c] ?? '', {}, compressors);
        decodeChunk(file, bytes, decoder, groupRows(file, group));
      }
    }
  });
}

const stem = `table-${rows}x20`;
const csvFile = join(folder, `${stem}.csv`);
const parquetFile = join(folder, `${stem}.parquet`);
if (!existsSync(csvFile) || !existsSync(parquetFile)) {
  await writeProfileInputs(folder, stem, rows, { seed: 42, shifted: false });
}
const result = {
  rows,
  csv_split_fast_s: await seconds(() => splitOnly(csvFile, false)),
  csv_split_csv_parse_s: await seconds(() => splitOnly(csvFile, true)),
  csv_batches_s: await seconds(() => streamAll(csvFile, false)),
  csv_profile_s: await seconds(() => streamAll(csvFile, true)),
  parquet_hyparquet_scan_s: await seconds(() => hyparquetScan(parquetFile)),
  parquet_decode_only_s: await seconds(() => decodeOnly(parquetFile)),
  parquet_batches_s: await seconds(() => streamAll(parquetFile, false)),
  parquet_profile_s: await seconds(() => streamAll(parquetFile, true)),
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
};
process.stdout.write(JSON.stringify(result) + '\n');
