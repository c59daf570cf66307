/**
 * Decodes the column chunks of flat Parquet columns page by page with hyparquet's page decoders,
 * keeping the non-null values dense (typed arrays as hyparquet decodes them) and nulls as a
 * mask. hyparquet's own column reader assembles every optional column into a JS array with a
 * boxed number or null per row, which cost most of the reading time (profiled: list assembly
 * and garbage collection were ~50 % of it on 1M × 20).
 */
import { parquetHeader } from 'hyparquet/src/column.js';
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxDefinitionLevel, getSchemaPath } from 'hyparquet/src/schema.js';
import type {
  ColumnChunk,
  Compressors,
  DecodedArray,
  Encoding,
  FileMetaData,
  ParquetParsers,
  RowGroup,
} from 'hyparquet';
import { tableError } from './options.js';

/** One column of a row group: its non-null values in row order, and which rows hold them. */
export interface ColumnRun {
  readonly dense: ArrayLike<unknown>;
  /** 1 where the row holds the next dense value, 0 for null; null when no row is null. */
  readonly present: Uint8Array | null;
}

type ColumnDecoder = Parameters<typeof readDataPage>[2];

/** Where a column chunk's pages lie in the file. */
export function chunkRange(path: string, chunk: ColumnChunk): { start: number; end: number } {
  const meta = chunk.meta_data;
  if (meta === undefined) throw malformed(path, 'a column chunk has no metadata');
  // Some writers leave dictionary_page_offset at 0 (as hyparquet's planner allows).
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  return { start, end: start + Number(meta.total_compressed_size) };
}

/** The decoder settings of top-level column `name` in `chunk`. */
export function columnDecoder(
  path: string,
  metadata: FileMetaData,
  chunk: ColumnChunk,
  name: string,
  parsers: Partial<ParquetParsers>,
  compressors: Compressors,
): ColumnDecoder {
  const meta = chunk.meta_data;
  if (meta?.path_in_schema.length !== 1 || meta.path_in_schema[0] !== name) {
    throw malformed(
      path,
      `the column chunk of ${JSON.stringify(name)} is not where the schema says`,
    );
  }
  const schemaPath = getSchemaPath(metadata.schema, [name]);
  const leaf = schemaPath[schemaPath.length - 1];
  if (leaf === undefined)
    throw malformed(path, `column ${JSON.stringify(name)} is not in the schema`);
  return {
    pathInSchema: [name],
    type: meta.type,
    element: leaf.element,
    schemaPath,
    codec: meta.codec,
    parsers: { ...DEFAULT_PARSERS, ...parsers },
    compressors,
    utf8: true,
  };
}

/** Decodes the `rows` rows of one flat column chunk held by `bytes`. */
export function decodeChunk(
  path: string,
  bytes: Uint8Array,
  decoder: ColumnDecoder,
  rows: number,
): ColumnRun {
  const reader = {
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    offset: 0,
  };
  const maxDefinition = getMaxDefinitionLevel(decoder.schemaPath);
  const { codec, compressors } = decoder;
  let dictionary: DecodedArray | undefined;
  const pages: DecodedArray[] = [];
  // Pages with nulls; the mask is made once the pages are known to hold `rows` rows, so a
  // row count in the footer cannot make us allocate more than the data holds.
  const levelPages: { at: number; levels: readonly number[] }[] = [];
  let row = 0;
  while (row < rows && reader.offset < bytes.byteLength) {
    const header = parquetHeader(reader);
    const compressed = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    const size = header.uncompressed_page_size;
    let page: ReturnType<typeof readDataPage>;
    let count: number;
    let encoding: Encoding;
    if (header.type === 'DICTIONARY_PAGE' && header.dictionary_page_header !== undefined) {
      const plain = decompressPage(compressed, size, codec, compressors);
      const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
      const values = header.dictionary_page_header.num_values;
      dictionary = convert(
        readPlain({ view, offset: 0 }, decoder.type, values, decoder.element.type_length),
        decoder,
      );
      continue;
    } else if (header.type === 'DATA_PAGE' && header.data_page_header !== undefined) {
      const plain = decompressPage(compressed, size, codec, compressors);
      page = readDataPage(plain, header.data_page_header, decoder);
      count = header.data_page_header.num_values;
      encoding = header.data_page_header.encoding;
    } else if (header.type === 'DATA_PAGE_V2' && header.data_page_header_v2 !== undefined) {
      page = readDataPageV2(compressed, header, decoder);
      count = header.data_page_header_v2.num_rows;
      encoding = header.data_page_header_v2.encoding;
    } else if (header.type === 'INDEX_PAGE') {
      continue;
    } else {
      throw malformed(path, `unsupported page type ${header.type}`);
    }
    if (row + count > rows)
      throw malformed(path, 'a column chunk holds more rows than its row group');
    const levels = page.definitionLevels;
    if (levels !== undefined && levels.length > 0) {
      if (levels.length !== count)
        throw malformed(path, 'a page has the wrong number of definition levels');
      levelPages.push({ at: row, levels });
    }
    pages.push(convertWithDictionary(page.dataPage, dictionary, encoding, decoder));
    row += count;
  }
  if (row !== rows)
    throw malformed(path, `a column chunk holds ${row} rows where ${rows} were expected`);
  let present: Uint8Array | null = null;
  let nulls = 0;
  for (const { at, levels } of levelPages) {
    present ??= new Uint8Array(rows).fill(1);
    for (let i = 0; i < levels.length; i++) {
      if (levels[i] !== maxDefinition) {
        present[at + i] = 0;
        nulls++;
      }
    }
  }
  const dense = concat(pages);
  const expected = rows - nulls;
  if (dense.length !== expected) {
    throw malformed(
      path,
      `a column chunk holds ${dense.length} values where ${expected} were expected`,
    );
  }
  return { dense, present };
}

function concat(pages: readonly DecodedArray[]): ArrayLike<unknown> {
  const first = pages[0];
  if (first === undefined) return [];
  if (pages.length === 1) return first;
  const total = pages.reduce((sum, page) => sum + page.length, 0);
  if (ArrayBuffer.isView(first) && pages.every((page) => page.constructor === first.constructor)) {
    const Typed = first.constructor as new (length: number) => {
      set(a: unknown, at: number): void;
    };
    const out = new Typed(total);
    let at = 0;
    for (const page of pages) {
      out.set(page, at);
      at += page.length;
    }
    return out as unknown as ArrayLike<unknown>;
  }
  const out: unknown[] = [];
  for (const page of pages) for (let i = 0; i < page.length; i++) out.push(page[i]);
  return out;
}

/** Rows in a row group, refusing counts beyond the safe integers. */
export function groupRows(path: string, group: RowGroup): number {
  const rows = Number(group.num_rows);
  if (!Number.isSafeInteger(rows) || rows < 0)
    throw malformed(path, 'a row group has a bad row count');
  return rows;
}

function malformed(path: string, reason: string) {
  return tableError('RAMPART_TABLE_MALFORMED', path, `not a readable Parquet file (${reason})`);
}
