/**
 * The checks before a training command may run (`train run` and `train reproduce`): dataset
 * versions verify, lockfiles pass the dependency audit, a base model's signature verifies, a
 * parameters file is read. Any failure refuses the run; the command never starts.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { canonicalize, hashFile, loadPublicKey, RampartError } from '../../../core/index.js';
import { verifyDatasetVersion, type DatasetContext } from '../../../data/index.js';
import {
  AdvisoryDatabase,
  auditDependencies,
  ImportedAdvisoryDatabase,
  readLockfile,
  type NamedDigest,
  type RunPlan,
} from '../../../training/index.js';
import type { Session } from '../../session.js';

/** A refusal before the command ran. */
export function refused(reason: string): RampartError {
  return new RampartError(
    'RAMPART_TRAIN_REFUSED',
    `train run refused: ${reason}; the command was not run`,
    { details: { reason } },
  );
}

/** Verifies each `name@N` and returns the verified versions with their paths. */
export async function verifyDatasets(
  data: DatasetContext,
  refs: readonly string[],
): Promise<RunPlan['datasets'][number][]> {
  const datasets: RunPlan['datasets'][number][] = [];
  for (const ref of refs) {
    const checked = await verifyDatasetVersion(data, ref);
    if (!checked.verified) {
      throw refused(`dataset ${checked.label} does not verify (run \`rampart data verify\`)`);
    }
    const name = checked.label.slice(0, checked.label.lastIndexOf('@'));
    datasets.push({ name, path: checked.path, label: checked.label, digest: checked.digest });
  }
  return datasets;
}

/**
 * Audits the lockfiles against the advisory database; any finding refuses the run.
 * @throws RAMPART_TRAIN_REFUSED, RAMPART_ADVISORY_DB_MISSING, RAMPART_LOCKFILE_INVALID
 */
export async function auditLockfiles(
  files: readonly string[],
  db: string | undefined,
  home: string,
): Promise<NamedDigest[]> {
  if (files.length === 0) return [];
  // --db or $RAMPART_ADVISORY_DB first, then the database imported with `deps db import`.
  const database =
    db === undefined ? await ImportedAdvisoryDatabase.open(home) : await AdvisoryDatabase.open(db);
  if (database === undefined) {
    throw new RampartError(
      'RAMPART_ADVISORY_DB_MISSING',
      'train run: --lockfile needs an advisory database; run `rampart deps db import <folder|zip>`, pass --db <path> or set RAMPART_ADVISORY_DB',
    );
  }
  const lockfiles = await Promise.all(files.map((file) => readLockfile(file)));
  const report = await auditDependencies(lockfiles, database);
  const first = report.findings[0];
  if (first !== undefined) {
    const what = first.kind === 'vulnerable' ? first.advisory : first.kind;
    throw refused(
      `${report.findings.length} dependency finding(s), first: ${first.package} ${first.version ?? ''} ${what} in ${first.lockfile}`,
    );
  }
  if (report.problems.length > 0) {
    throw refused(`the dependency audit could not complete: ${report.problems[0]?.message ?? ''}`);
  }
  return Promise.all(
    files.map(async (file) => ({ path: file, digest: (await hashFile(file)).digest })),
  );
}

/**
 * Verifies a base model's OpenSSF model signature with the given public key.
 * @throws RAMPART_TRAIN_REFUSED when it does not verify; RAMPART_USAGE without a key.
 */
export async function verifyBaseModel(
  modelPath: string,
  keyFile: string | undefined,
): Promise<NonNullable<RunPlan['baseModel']>> {
  if (keyFile === undefined) {
    throw new RampartError('RAMPART_USAGE', 'train run: --base-model needs --base-key <pub.pem>', {
      hint: "Pass the public key of whoever signed the base model (`rampart sign`'s key).",
    });
  }
  const publicKey = await loadPublicKey(keyFile);
  // The registry (and the scanner under it) is loaded only for runs that name a base model.
  const { verifyModel } = await import('../../../registry/index.js');
  let result: Awaited<ReturnType<typeof verifyModel>>;
  try {
    result = await verifyModel(modelPath, { publicKey });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw refused(`base model ${modelPath} does not verify: ${reason}`);
  }
  if (!result.ok) {
    throw refused(`base model ${modelPath} does not match its signature`);
  }
  return {
    path: modelPath,
    digest: result.digest as NamedDigest['digest'],
    keyId: result.signer.id,
  };
}

const MAX_PARAMS_BYTES = 1024 * 1024;
const MAX_PARAMS = 1000;

/**
 * Reads a parameters file (JSON or YAML mapping; scalar values as text, nested values as
 * canonical JSON) and its digest.
 * @throws RAMPART_USAGE for an unreadable, oversized or non-mapping file.
 */
export async function readParamsFile(
  file: string,
): Promise<{ parameters: Record<string, string>; file: NamedDigest }> {
  const bad = (why: string) =>
    new RampartError('RAMPART_USAGE', `--params ${file}: ${why}`, {
      hint: 'Give a JSON or YAML mapping of parameter names to values, at most 1 MiB.',
    });
  const size = await stat(file).then(
    (s) => s.size,
    () => {
      throw bad('cannot be read');
    },
  );
  if (size > MAX_PARAMS_BYTES) throw bad(`is ${size} bytes, more than ${MAX_PARAMS_BYTES}`);
  const text = await readFile(file, 'utf8');
  let value: unknown;
  try {
    value =
      path.extname(file) === '.json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 0 });
  } catch (error) {
    throw bad(`is not valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${String(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad('is not a mapping of names to values');
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_PARAMS) throw bad(`has more than ${MAX_PARAMS} parameters`);
  const parameters: Record<string, string> = {};
  for (const [key, v] of entries) {
    parameters[key] = typeof v === 'string' ? v : canonicalize(v);
  }
  return { parameters, file: { path: file, digest: (await hashFile(file)).digest } };
}

/** Runs the checks; a refusal is an audit entry of its own, naming the reason. */
export async function refuseAudited<T>(
  session: Session,
  id: string,
  checks: () => Promise<T>,
  action = 'train.run',
): Promise<T> {
  try {
    return await checks();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await session.identity.access.record(
      session.principal,
      action,
      { type: 'training-run', id },
      { allowed: false, reason: `refused before the command ran: ${reason}` },
    );
    throw error;
  }
}
