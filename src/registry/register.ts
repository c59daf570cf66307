/**
 * `registerModel`: copy a model into a private staging folder, scan it, sign it, keep every
 * file as an (encrypted) blob and record an immutable version with its lineage. Everything
 * after the copy works on the private copy, so the bytes scanned, signed and stored are the
 * same bytes even if the source changes meanwhile.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_IGNORE_PATHS, normaliseIgnorePaths, RampartError, sha256 } from '../core/index.js';
import { findVersion, parseDatasetRef } from '../data/index.js';
import type { Principal } from '../identity/index.js';
import { scanPaths, SEVERITIES, toSarif, verdict, verdictName } from '../scan/index.js';
import { parseModelSignature } from './bundle.js';
import { addReceipt } from '../audit/index.js';
import { audited, type RegistryContext } from './context.js';
import { checkModelName, versionLabel } from './model-names.js';
import { signModel } from './sign.js';
import { mergeDatasetLinks, refuseUnproduced, verifiedRun } from './run-link.js';
import { resolveTarget } from './target.js';
import {
  insertModelVersion,
  type DatasetLink,
  type ModelFileEntry,
  type ScanSummary,
} from './versions-repo.js';
import { walkModel } from './walk.js';

/** What to register. */
export interface RegisterInput {
  readonly path: string;
  readonly name: string;
  /** The training run that produced the files: it must verify, and every file be its output. */
  readonly runId?: string | undefined;
  /** Dataset versions the model was trained on, as `name@N`. */
  readonly datasets?: readonly string[];
}

/** A registered version. */
export interface RegisterResult {
  readonly name: string;
  readonly version: number;
  readonly digest: string;
  readonly files: number;
  readonly size: number;
  readonly scanDigest: string;
  readonly datasets: readonly DatasetLink[];
}

const MAX_FILES = 100_000;

/**
 * Registers a new immutable version of `name` (a second register is a new version).
 * @throws RAMPART_FORBIDDEN, RAMPART_MODEL_NAME_INVALID, RAMPART_MODEL_REFUSED (scan findings,
 *   unscannable parts, unknown datasets, a run that does not verify or did not produce the files), file errors — each after its audit entry.
 */
export async function registerModel(
  context: RegistryContext,
  actor: Principal,
  input: RegisterInput,
): Promise<RegisterResult & { auditIndex: number }> {
  const resource = { type: 'model', id: input.name.slice(0, 256) || '(empty)' };
  return audited(context, actor, 'model.register', resource, async () => {
    const name = checkModelName(input.name);
    const run =
      input.runId === undefined ? undefined : await verifiedRun(context, actor, input.runId);
    const datasets = mergeDatasetLinks(
      await linkDatasets(context, input.datasets ?? []),
      run?.datasets ?? [],
    );
    await mkdir(context.staging, { recursive: true, mode: 0o700 });
    const workDir = await mkdtemp(path.join(context.staging, 'register-'));
    try {
      const staged = await stage(input.path, workDir);
      const scan = await scanStaged(context, staged.root, workDir);
      const signed = await signStaged(context, staged.root, workDir);
      if (run !== undefined) refuseUnproduced(run, signed.resources);
      const files = await keepBlobs(context, staged, signed.resources);
      const record = await insertModelVersion(context.store, {
        name,
        digest: signed.digest,
        manifest: { format: 'rampart.model-manifest/v1', subject: signed.subject, files },
        bundle: signed.bundle,
        scanDigest: scan.digest,
        scan: scan.summary,
        runId: run?.id ?? null,
        createdBy: actor.subject,
        createdAt: context.now().toISOString(),
        datasets,
      });
      const result: RegisterResult = {
        name,
        version: record.version,
        digest: record.digest,
        files: files.length,
        size: files.reduce((total, file) => total + file.size, 0),
        scanDigest: scan.digest,
        datasets,
      };
      return { result, digest: record.digest, evidence: [scan.digest, sha256(signed.bundle)] };
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }).then(async (registered) => {
    await addReceipt(context.store, {
      type: 'model-version',
      id: versionLabel(registered.name, registered.version),
      action: 'model.register',
      index: registered.auditIndex,
      at: context.now().toISOString(),
    });
    return registered;
  });
}

async function linkDatasets(
  context: RegistryContext,
  refs: readonly string[],
): Promise<DatasetLink[]> {
  const links: DatasetLink[] = [];
  for (const text of refs) {
    const ref = parseDatasetRef(text, true);
    const found = await findVersion(context.store, ref);
    if (found === undefined) {
      throw new RampartError(
        'RAMPART_MODEL_REFUSED',
        `dataset version ${text.slice(0, 128)} is not registered`,
        {
          hint: 'Register it with `rampart data add`, or name an existing version (`rampart data list`).',
        },
      );
    }
    links.push({ name: found.name, sequence: found.sequence, digest: found.digest });
  }
  return links;
}

interface Staged {
  /** The staged copy: a folder, or a single file. */
  readonly root: string;
  readonly isFile: boolean;
  /** Staged files by their model path. */
  readonly files: ReadonlyMap<string, { path: string; size: number }>;
}

// Copies regular files only (symbolic links and special files are refused by the walk).
async function stage(source: string, workDir: string): Promise<Staged> {
  const target = await resolveTarget(source);
  const ignorePaths = target.isFile
    ? []
    : normaliseIgnorePaths(target.root, [...DEFAULT_IGNORE_PATHS, 'model.sig']);
  const walk = await walkModel(target.root, {
    ignorePaths,
    allowSymlinks: false,
    collectIgnored: false,
    maxFiles: MAX_FILES,
  });
  const root = path.join(workDir, 'model', target.subjectName);
  const files = new Map<string, { path: string; size: number }>();
  for (const file of walk.files) {
    const destination = file.name === '.' ? root : path.join(root, ...file.name.split('/'));
    await mkdir(path.dirname(destination), { recursive: true, mode: 0o700 });
    await copyFile(file.path, destination);
    files.set(file.name, { path: destination, size: file.size });
  }
  return { root, isFile: target.isFile, files };
}

async function scanStaged(
  context: RegistryContext,
  root: string,
  workDir: string,
): Promise<{ digest: string; summary: ScanSummary }> {
  const report = await scanPaths([path.relative(workDir, root)], { cwd: workDir });
  const code = verdict(report);
  const sarif = Buffer.from(
    `${JSON.stringify(toSarif(report, { version: context.toolVersion }), null, 2)}\n`,
  );
  const kept = await context.blobs.put(sarif);
  const highest = [...SEVERITIES]
    .reverse()
    .find((s) => report.findings.some((f) => f.severity === s));
  const summary: ScanSummary = {
    verdict: verdictName(code),
    findings: report.findings.length,
    problems: report.problems.length,
    highest: highest ?? null,
  };
  if (code !== 0) {
    const first = report.findings[0] ?? report.problems[0];
    throw new RampartError(
      'RAMPART_MODEL_REFUSED',
      code === 1
        ? `the scan found ${report.findings.length} finding(s), highest ${summary.highest ?? '?'}: ${first?.message ?? ''}`
        : `part of the model could not be scanned (${report.problems.length} problem(s)): ${first?.message ?? ''}`,
      {
        details: {
          sarif: kept.digest,
          findings: report.findings.length,
          problems: report.problems.length,
        },
      },
    );
  }
  return { digest: kept.digest, summary };
}

async function signStaged(
  context: RegistryContext,
  root: string,
  workDir: string,
): Promise<{
  digest: string;
  bundle: string;
  subject: string;
  resources: { name: string; digest: string }[];
}> {
  const signaturePath = path.join(workDir, 'model.sig');
  const signed = await signModel(root, {
    privateKey: context.signingKey,
    signaturePath,
    pool: context.pool,
  });
  const bundle = await readFile(signaturePath, 'utf8');
  const parsed = parseModelSignature(bundle, 'registry signature');
  return {
    digest: signed.digest,
    bundle,
    subject: parsed.subjectName,
    resources: parsed.resources.map((r) => ({ name: r.name, digest: `sha256:${r.digest}` })),
  };
}

// Every staged file becomes a blob whose digest must be the one the signature names.
async function keepBlobs(
  context: RegistryContext,
  staged: Staged,
  resources: readonly { name: string; digest: string }[],
): Promise<ModelFileEntry[]> {
  const files: ModelFileEntry[] = [];
  for (const resource of resources) {
    const file = staged.isFile ? [...staged.files.values()][0] : staged.files.get(resource.name);
    if (file === undefined) {
      throw new RampartError('RAMPART_INTERNAL', `signed resource ${resource.name} was not staged`);
    }
    const kept = await context.blobs.putFile(file.path);
    if (kept.digest !== resource.digest) {
      throw new RampartError(
        'RAMPART_INTERNAL',
        `staged file ${resource.name} changed while it was registered`,
      );
    }
    files.push({ path: resource.name, digest: kept.digest, size: kept.size });
  }
  return files;
}
