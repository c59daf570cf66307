/**
 * The members of an osv.dev-style zip (`PyPI/all.zip`) as records for the advisory import,
 * read with the scanner's zip reader and its limits. The reader reports anything that makes the
 * archive ambiguous (hidden members, name or size mismatches, bombs) as findings; for an import
 * every such finding or problem refuses the archive. Members are handed over one at a time, so
 * at most one decoded record is held here.
 */
import { RampartError } from '../../../core/index.js';
import {
  DEFAULT_LIMITS,
  FileSource,
  LimitExceeded,
  scanZip,
  type ByteSource,
  type FindingInput,
  type ScanContext,
} from '../../../scan/index.js';
import { IMPORT_LIMITS, isRecordName, type RecordEntry } from '../../../training/index.js';

const EMPTY = new Uint8Array(0);

/**
 * Yields every member of the zip at `file`; members that are not `.json`/`.yaml`/`.yml` come
 * with no bytes (the import counts them as ignored).
 * @throws RAMPART_ADVISORY_IMPORT_INVALID when the archive is malformed, ambiguous or over a limit
 */
export async function* zipRecords(file: string): AsyncGenerator<RecordEntry> {
  const queue: RecordEntry[] = [];
  let wake: (() => void) | undefined;
  let resume: (() => void) | undefined;
  // Flags shared with the reader's callbacks.
  const state = { finished: false, stopped: false };
  let failure: unknown;
  const issues: string[] = [];
  let inflated = 0;

  const context: ScanContext = {
    location: { file, members: [] },
    limits: {
      ...DEFAULT_LIMITS,
      maxArchiveEntries: IMPORT_LIMITS.maxRecords,
      maxInflatedBytes: IMPORT_LIMITS.maxTotalBytes,
    },
    depth: 0,
    formats: ['zip'],
    finding(finding: FindingInput) {
      issues.push(finding.message);
    },
    problem(code: string, message: string) {
      issues.push(`${code}: ${message}`);
    },
    async scanNested(member: string, source: ByteSource) {
      // A limit error is the one the zip reader lets through: it stops the walk at once.
      if (state.stopped) throw new LimitExceeded('RS204', 'the import stopped reading the archive');
      const entry = isRecordName(member)
        ? { name: member, bytes: await memberBytes(member, source) }
        : { name: member, bytes: EMPTY };
      queue.push(entry);
      wake?.();
      // Wait until the import has taken this record before decoding the next one.
      await new Promise<void>((resolve) => (resume = resolve));
    },
    inflated(bytes: number) {
      inflated += bytes;
      if (inflated > IMPORT_LIMITS.maxTotalBytes) {
        throw new LimitExceeded(
          'RS204',
          `more than ${IMPORT_LIMITS.maxTotalBytes} bytes would be decompressed`,
        );
      }
    },
  };

  const source = await FileSource.open(file).catch((error: unknown) => {
    throw new RampartError('RAMPART_ADVISORY_IMPORT_INVALID', `${file}: cannot be read`, {
      cause: error,
      details: { path: file },
    });
  });
  const producer = scanZip(source, context)
    .catch((error: unknown) => {
      failure = error;
    })
    .finally(() => {
      state.finished = true;
      wake?.();
    });
  try {
    for (;;) {
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        const go = resume;
        resume = undefined;
        go?.();
        continue;
      }
      if (state.finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    const issue = issues[0];
    if (failure !== undefined || issue !== undefined) {
      const why = failure instanceof Error ? failure.message : (issue ?? String(failure));
      throw new RampartError(
        'RAMPART_ADVISORY_IMPORT_INVALID',
        `${file}: the zip was refused: ${why}`,
        {
          details: { path: file, issues: issues.slice(0, 20) },
        },
      );
    }
  } finally {
    state.stopped = true;
    resume?.();
    await producer;
    await source.close();
  }
}

async function memberBytes(member: string, source: ByteSource): Promise<Uint8Array> {
  const limit = IMPORT_LIMITS.maxRecordBytes;
  const tooLarge = (): RampartError =>
    new RampartError('RAMPART_ADVISORY_IMPORT_INVALID', `${member}: larger than ${limit} bytes`, {
      details: { path: member, limit },
    });
  if (source.size > limit) throw tooLarge();
  if (source.seekable) return source.read(0, source.size);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source.stream(0, 64 * 1024)) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(Uint8Array.from(chunk));
  }
  return Buffer.concat(chunks);
}
