/**
 * Performance from delayed labels: join ground-truth labels to inference records by request
 * id and report accuracy, overall and per true class. Both inputs stream, within limits.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { fileError, RampartError } from '../core/index.js';
import type { InferenceRecord } from './record.js';

/** One delayed label. */
export interface DelayedLabel {
  readonly request_id: string;
  readonly label: string | number;
}

/** Accuracy once labels have arrived. */
export interface LabelReport {
  /** Labels whose request has a record with a predicted class. */
  readonly matched: number;
  /** Labels with no record, or whose record has no predicted class. */
  readonly unmatched: number;
  /** Later labels for a request already labelled (ignored). */
  readonly duplicates: number;
  /** Share of matched predictions equal to their label; null before any match. */
  readonly accuracy: number | null;
  /** Per true label: matched count, correct count and their ratio (recall). */
  readonly per_class: Readonly<
    Record<string, { count: number; correct: number; accuracy: number }>
  >;
}

/** Limits on both files; beyond them the join refuses. */
export const LABEL_LIMITS = {
  maxLineBytes: 1024 * 1024,
  maxRecords: 1_000_000,
  maxLabels: 1_000_000,
  maxFieldLength: 256,
} as const;

/**
 * Joins labels (an iterable, or a CSV / JSON lines file) to the records in `recordsPath`.
 * @throws RAMPART_LABELS_INVALID for a malformed line or a file over the limits;
 * RAMPART_FILE_NOT_FOUND / RAMPART_FILE_UNREADABLE when a file cannot be read.
 */
export async function joinLabels(
  recordsPath: string,
  labels: AsyncIterable<DelayedLabel> | Iterable<DelayedLabel> | string,
): Promise<LabelReport> {
  const predictions = await readPredictions(recordsPath);
  const seen = new Set<string>();
  const perClass = new Map<string, { count: number; correct: number }>();
  let matched = 0;
  let unmatched = 0;
  let duplicates = 0;
  let correct = 0;
  let total = 0;
  const source = typeof labels === 'string' ? readLabels(labels) : labels;
  for await (const { request_id: id, label } of source) {
    if (++total > LABEL_LIMITS.maxLabels)
      throw invalid(`more than ${LABEL_LIMITS.maxLabels} labels`);
    if (seen.has(id)) {
      duplicates++;
      continue;
    }
    seen.add(id);
    const predicted = predictions.get(id);
    if (predicted === undefined) {
      unmatched++;
      continue;
    }
    matched++;
    const key = String(label);
    const entry = perClass.get(key) ?? { count: 0, correct: 0 };
    entry.count++;
    if (predicted === key) {
      entry.correct++;
      correct++;
    }
    perClass.set(key, entry);
  }
  const per_class: Record<string, { count: number; correct: number; accuracy: number }> = {};
  for (const [key, v] of [...perClass].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    per_class[key] = { ...v, accuracy: v.correct / v.count };
  }
  return {
    matched,
    unmatched,
    duplicates,
    accuracy: matched === 0 ? null : correct / matched,
    per_class,
  };
}

/**
 * The class a record predicted: `data.predicted` when present, else from the first output
 * tensor kept in full — its single element, or the index of the largest of one row of scores.
 */
export function predictedClass(record: InferenceRecord): string | undefined {
  const { predicted, outputs } = record.data;
  if (predicted !== undefined) return String(predicted);
  const first = outputs?.[0];
  const data = first?.data;
  if (first === undefined || data === undefined || data.length === 0) return undefined;
  if (data.length === 1) return String(data[0]);
  // Scores for one row only: a batch's records cannot say which row a label belongs to.
  const rows = first.shape.length > 1 ? first.shape[0] : 1;
  if (rows !== 1 || data.some((v) => typeof v !== 'number')) return undefined;
  let best = 0;
  for (let i = 1; i < data.length; i++) if ((data[i] as number) > (data[best] as number)) best = i;
  return String(best);
}

async function readPredictions(recordsPath: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let lineNo = 0;
  for await (const line of lines(recordsPath)) {
    lineNo++;
    if (line.trim() === '') continue;
    let record: InferenceRecord;
    try {
      record = JSON.parse(line) as InferenceRecord;
    } catch {
      throw invalid(`${recordsPath} line ${lineNo} is not JSON`);
    }
    if (typeof record.id !== 'string' || typeof record.data !== 'object') {
      throw invalid(`${recordsPath} line ${lineNo} is not an inference record`);
    }
    const predicted = predictedClass(record);
    if (predicted === undefined) continue;
    if (out.size >= LABEL_LIMITS.maxRecords) {
      throw invalid(`${recordsPath} holds more than ${LABEL_LIMITS.maxRecords} predictions`);
    }
    out.set(record.id, predicted);
  }
  return out;
}

async function* readLabels(file: string): AsyncGenerator<DelayedLabel> {
  if ((await firstByte(file)) === '{') {
    let lineNo = 0;
    for await (const line of lines(file)) {
      lineNo++;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw invalid(`${file} line ${lineNo} is not JSON`);
      }
      yield checkLabel(value, `${file} line ${lineNo}`);
    }
    return;
  }
  const parser = createReadStream(file).pipe(
    parse({
      columns: true,
      trim: true,
      skip_empty_lines: true,
      max_record_size: LABEL_LIMITS.maxLineBytes,
    }),
  );
  let row = 1;
  try {
    for await (const value of parser as AsyncIterable<unknown>) {
      row++;
      yield checkLabel(value, `${file} row ${row}`);
    }
  } catch (error) {
    if (error instanceof RampartError) throw error;
    throw invalid(`${file} is not CSV with a request_id,label header: ${(error as Error).message}`);
  }
}

function checkLabel(value: unknown, where: string): DelayedLabel {
  const v = value as Partial<Record<string, unknown>> | null;
  const id = v?.request_id;
  const label = v?.label;
  const ok = (x: unknown): boolean =>
    (typeof x === 'string' && x.length > 0 && x.length <= LABEL_LIMITS.maxFieldLength) ||
    (typeof x === 'number' && Number.isFinite(x));
  if (typeof id !== 'string' || !ok(id) || !ok(label)) {
    throw invalid(
      `${where} needs request_id and label (strings up to ${LABEL_LIMITS.maxFieldLength} characters, or a finite number label)`,
    );
  }
  return { request_id: id, label: label as string | number };
}

// Splits on newlines itself so one endless line cannot grow memory past the limit.
async function* lines(file: string): AsyncGenerator<string> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  let pending = '';
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      pending += chunk;
      let start = 0;
      for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', start)) {
        yield pending.slice(start, end).replace(/\r$/, '');
        start = end + 1;
      }
      pending = pending.slice(start);
      if (pending.length > LABEL_LIMITS.maxLineBytes) {
        throw invalid(`${file} has a line longer than ${LABEL_LIMITS.maxLineBytes} characters`);
      }
    }
  } catch (error) {
    throw fileError(error, file);
  } finally {
    stream.destroy();
  }
  if (pending !== '') yield pending;
}

async function firstByte(file: string): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw fileError(error, file);
  }
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').trimStart().charAt(0);
  } finally {
    await handle.close();
  }
}

function invalid(message: string): RampartError {
  return new RampartError('RAMPART_LABELS_INVALID', message);
}
