/** `rampart deps audit`: parsing the options, choosing the database, printing the report. */
import path from 'node:path';
import { isRampartError, packageVersion, RampartError } from '../../../core/index.js';
import {
  AdvisoryDatabase,
  auditDependencies,
  dependencySarif,
  ImportedAdvisoryDatabase,
  problemOf,
  readLockfile,
  type AdvisorySource,
  type AuditProblem,
  type DependencyAuditReport,
  type DependencyFinding,
  type Lockfile,
} from '../../../training/index.js';
import type { CommandContext, CommandInput, CommandResult } from '../../command.js';
import { stringOption } from '../../options.js';

const FORMATS = ['text', 'json', 'sarif'] as const;

/** Audits the lockfiles named after `audit`. */
export async function runAudit(
  context: CommandContext,
  input: CommandInput,
): Promise<CommandResult> {
  const files = input.positionals.slice(1);
  if (files.length === 0) {
    throw new RampartError('RAMPART_USAGE', 'deps audit: name at least one lockfile');
  }
  const format = reportFormat(input, context.json);
  const { database, described } = await openDatabase(context, input);
  const lockfiles: Lockfile[] = [];
  const unreadable: AuditProblem[] = [];
  for (const name of files) {
    try {
      lockfiles.push(await readLockfile(path.resolve(context.cwd, name)));
    } catch (error) {
      if (!isRampartError(error)) throw error;
      unreadable.push(problemOf(error));
    }
  }
  const audited = await auditDependencies(lockfiles, database);
  const report: DependencyAuditReport = {
    ...audited,
    problems: [...unreadable, ...audited.problems],
  };
  // A finding wins over a problem: an error never hides a finding (DESIGN.md).
  const exitCode = report.findings.length > 0 ? 1 : report.problems.length > 0 ? 2 : 0;
  const json = { ...report, database: database.root, advisoryDatabase: described };
  const text =
    format === 'text'
      ? render(report)
      : JSON.stringify(
          format === 'sarif' ? dependencySarif(report, { version: packageVersion() }) : json,
          null,
          2,
        );
  return { exitCode, json, text };
}

async function openDatabase(
  context: CommandContext,
  input: CommandInput,
): Promise<{ database: AdvisorySource; described: Record<string, unknown> }> {
  const given = stringOption(input, 'db') ?? context.env.RAMPART_ADVISORY_DB;
  if (given !== undefined && given !== '') {
    const database = await AdvisoryDatabase.open(path.resolve(context.cwd, given));
    return { database, described: { kind: 'folder', path: database.root } };
  }
  const imported = await ImportedAdvisoryDatabase.open(context.location.home);
  if (imported === undefined) {
    throw new RampartError(
      'RAMPART_ADVISORY_DB_MISSING',
      `deps audit: no advisory database; pass --db <path>, set RAMPART_ADVISORY_DB, or run \`rampart deps db import <folder|zip>\` (nothing imported in ${context.location.home})`,
    );
  }
  const { index } = imported;
  return {
    database: imported,
    described: {
      kind: 'imported',
      path: imported.root,
      digest: index.digest,
      imported_at: index.imported_at,
      source: index.source,
    },
  };
}

function reportFormat(input: CommandInput, json: boolean): (typeof FORMATS)[number] {
  const flag = input.options.format;
  if (flag === undefined) return json ? 'json' : 'text';
  const known = FORMATS.find((f) => f === flag);
  if (known !== undefined) return known;
  throw new RampartError('RAMPART_USAGE', `--format ${String(flag)} is not a report format`, {
    hint: `Use one of: ${FORMATS.join(', ')}.`,
  });
}

function render(report: DependencyAuditReport): string {
  const lines = report.findings.map(describe);
  for (const problem of report.problems) {
    lines.push(
      `PROBLEM     ${problem.code === undefined ? '' : `${problem.code}: `}${problem.message}`,
    );
  }
  const dependencies = report.lockfiles.reduce((n, l) => n + l.dependencies, 0);
  lines.push(
    `${report.findings.length} finding(s), ${report.problems.length} problem(s) in ${report.lockfiles.length} lockfile(s), ${dependencies} dependencies`,
  );
  return lines.join('\n');
}

const LABELS: Record<Exclude<DependencyFinding['kind'], 'vulnerable'>, string> = {
  unpinned: 'UNPINNED  ',
  unhashed: 'NO HASH   ',
  'not-registry': 'NOT REGISTRY',
};

function describe(finding: DependencyFinding): string {
  const at = `${finding.lockfile}${finding.line === undefined ? '' : `:${finding.line}`}`;
  const what = `${finding.package}${finding.version === undefined ? '' : ` ${finding.version}`}`;
  if (finding.kind !== 'vulnerable') {
    return `${LABELS[finding.kind]}  ${what} (${finding.reason})  ${at}`;
  }
  const aliases = finding.aliases.length === 0 ? '' : ` (${finding.aliases.join(', ')})`;
  const fixed =
    finding.fixed.length === 0 ? 'no fixed version' : `fixed in ${finding.fixed.join(', ')}`;
  return `VULNERABLE  ${what}: ${finding.advisory}${aliases}, ${fixed}  ${at}\n            ${finding.summary}`;
}
