/**
 * Reads a stored dataset manifest back, failing closed: the shape, the limits, the order of
 * the files, the chunk counts and the root digest must all hold.
 */
import * as z from 'zod';
import { comparePosixPaths, isDigest, RampartError, type Digest } from '../core/index.js';
import { MANIFEST_FORMAT, rootDigest, type DatasetFile, type DatasetManifest } from './manifest.js';

const MAX_FILES = 1_000_000;
const digest = z.string().refine((text): text is Digest => isDigest(text), 'not sha256:<hex>');
const size = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  digest,
  chunkSize: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  ignorePaths: z.array(z.string().min(1).max(4096)).max(1024),
  fileCount: size,
  totalSize: size,
  files: z
    .array(
      z.strictObject({
        path: z.string().min(1).max(4096),
        size,
        digest,
        chunks: z.array(digest).optional(),
      }),
    )
    .max(MAX_FILES),
});

/**
 * Parses the canonical JSON text of a stored manifest and checks that it is self-consistent.
 * @throws RAMPART_DATASET_RECORD_INVALID naming the first problem.
 */
export function parseManifest(text: string, label: string): DatasetManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw recordInvalid(label, 'is not JSON', error);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw recordInvalid(label, `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const manifest = parsed.data as DatasetManifest;
  const problem = consistencyProblem(manifest);
  if (problem !== undefined) throw recordInvalid(label, problem);
  return manifest;
}

function consistencyProblem(manifest: DatasetManifest): string | undefined {
  const { files, chunkSize } = manifest;
  if (manifest.fileCount !== files.length) return 'fileCount does not match the file list';
  let total = 0;
  for (const [index, file] of files.entries()) {
    total += file.size;
    const previous = files[index - 1];
    if (previous !== undefined && comparePosixPaths(previous.path, file.path) >= 0) {
      return `files are not in manifest order at ${JSON.stringify(file.path)}`;
    }
    if (!chunksFit(file, chunkSize))
      return `chunk list of ${JSON.stringify(file.path)} does not fit its size`;
  }
  if (total !== manifest.totalSize) return 'totalSize does not match the file sizes';
  if (rootDigest(files) !== manifest.digest) return 'root digest does not match the file digests';
  return undefined;
}

function chunksFit(file: DatasetFile, chunkSize: number): boolean {
  if (file.size <= chunkSize) return file.chunks === undefined;
  return file.chunks?.length === Math.ceil(file.size / chunkSize);
}

function recordInvalid(label: string, problem: string, cause?: unknown): RampartError {
  return new RampartError(
    'RAMPART_DATASET_RECORD_INVALID',
    `the stored manifest of ${label} ${problem}`,
    { cause, details: { dataset: label } },
  );
}
