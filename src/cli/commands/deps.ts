import path from 'node:path';
import { isRampartError, RampartError } from '../../core/index.js';
import {
  AdvisoryDatabase,
  auditDependencies,
  problemOf,
  readLockfile,
  type AuditProblem,
  type DependencyAuditReport,
  type DependencyFinding,
  type Lockfile,
} from '../../training/index.js';
import type { Command, CommandContext, CommandInput } from '../command.js';
import { actionOf, stringOption } from '../options.js';

const ACTIONS = ['audit'] as const;

/** `rampart deps audit`: lockfiles against an offline OSV advisory database. */
export const depsCommand: Command = {
  name: 'deps',
  summary: 'Audit Python lockfiles: exact pins, hashes, and known advisories (offline OSV)',
  usage: 'deps audit <lockfile>... [--db <path>] [--json]',
  description: [
    'audit <lockfile>...  read requirements*.txt / *.txt, poetry.lock, uv.lock and Pipfile.lock;',
    '                     flag every dependency not pinned to one exact version (==), every one',
    '                     without a hash, and every pinned version an advisory names',
    'Advisories come from a local copy of the PyPA advisory database (OSV records), given by',
    '--db or $RAMPART_ADVISORY_DB: git clone https://github.com/pypa/advisory-database',
    'Exit 1 on any finding, 0 when clean, 2 when a lockfile or advisory could not be read.',
    'See docs/dependency-audit.md.',
  ].join('\n'),
  options: {
    db: {
      type: 'string',
      value: '<path>',
      actions: ['audit'],
      description: 'advisory database folder (default $RAMPART_ADVISORY_DB)',
    },
  },
  positionals: { min: 2, max: Number.POSITIVE_INFINITY },
  examples: [
    'rampart deps audit requirements.txt --db ./advisory-database',
    'RAMPART_ADVISORY_DB=./advisory-database rampart deps audit poetry.lock Pipfile.lock --json',
  ],
  async run(context, input) {
    actionOf('deps', input, ACTIONS);
    const database = await AdvisoryDatabase.open(databasePath(context, input));
    const lockfiles: Lockfile[] = [];
    const unreadable: AuditProblem[] = [];
    for (const name of input.positionals.slice(1)) {
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
    return { exitCode, json: { ...report, database: database.root }, text: render(report) };
  },
};

function databasePath(context: CommandContext, input: CommandInput): string {
  const given = stringOption(input, 'db') ?? context.env.RAMPART_ADVISORY_DB;
  if (given === undefined || given === '') {
    throw new RampartError(
      'RAMPART_ADVISORY_DB_MISSING',
      'deps audit: no advisory database; pass --db <path> or set RAMPART_ADVISORY_DB',
    );
  }
  return path.resolve(context.cwd, given);
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

function describe(finding: DependencyFinding): string {
  const at = `${finding.lockfile}${finding.line === undefined ? '' : `:${finding.line}`}`;
  const what = `${finding.package}${finding.version === undefined ? '' : ` ${finding.version}`}`;
  if (finding.kind !== 'vulnerable') {
    return `${finding.kind === 'unpinned' ? 'UNPINNED  ' : 'NO HASH   '}  ${what} (${finding.reason})  ${at}`;
  }
  const aliases = finding.aliases.length === 0 ? '' : ` (${finding.aliases.join(', ')})`;
  const fixed =
    finding.fixed.length === 0 ? 'no fixed version' : `fixed in ${finding.fixed.join(', ')}`;
  return `VULNERABLE  ${what}: ${finding.advisory}${aliases}, ${fixed}  ${at}\n            ${finding.summary}`;
}
