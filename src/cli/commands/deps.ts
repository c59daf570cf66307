import type { Command } from '../command.js';
import { actionOf } from '../options.js';
import { runAudit } from './deps/audit.js';
import { runDb } from './deps/db.js';

const ACTIONS = ['audit', 'db'] as const;

/** `rampart deps audit|db`: lockfiles against an offline OSV advisory database. */
export const depsCommand: Command = {
  name: 'deps',
  summary:
    'Audit lockfiles (Python, conda, npm): exact pins, hashes, known advisories (offline OSV)',
  usage:
    'deps audit <lockfile>... [--db <path>] [--format text|json|sarif] [--json] | deps db import <folder|zip> [--skip-invalid] | deps db status',
  description: [
    'audit <lockfile>...  read requirements*.txt / *.txt, poetry.lock, uv.lock, Pipfile.lock,',
    '                     conda-lock*.yml and package-lock.json; flag every dependency not',
    '                     pinned to one exact version, without a hash, resolved outside a',
    '                     registry (npm), and every pinned version an advisory names',
    'db import <folder|zip>  import OSV records (JSON or YAML; a folder such as the PyPA',
    '                     advisory database, or an osv.dev <ecosystem>/all.zip) into',
    '                     <home>/advisories; a malformed record refuses the import',
    'db status            show what was imported (index.json)',
    'Advisories come from --db <folder> or $RAMPART_ADVISORY_DB when given, else from the',
    'database imported with `deps db import`.',
    'Exit 1 on any finding, 0 when clean, 2 when a lockfile or advisory could not be read.',
    'See docs/dependency-audit.md.',
  ].join('\n'),
  options: {
    db: {
      type: 'string',
      value: '<path>',
      actions: ['audit'],
      description: 'advisory database folder (default $RAMPART_ADVISORY_DB, else the imported one)',
    },
    format: {
      type: 'string',
      value: '<text|json|sarif>',
      actions: ['audit'],
      description: 'report format (default text; json with --json)',
    },
    'skip-invalid': {
      type: 'boolean',
      actions: ['db'],
      description: 'import: skip malformed records and list them, instead of refusing the import',
    },
  },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  examples: [
    'rampart deps audit requirements.txt --db ./advisory-database',
    'RAMPART_ADVISORY_DB=./advisory-database rampart deps audit poetry.lock Pipfile.lock --json',
    'rampart deps db import ./advisory-database && rampart deps audit uv.lock package-lock.json',
    'rampart deps audit conda-lock.yml --format sarif > deps.sarif',
  ],
  async run(context, input) {
    const action = actionOf('deps', input, ACTIONS);
    return action === 'audit' ? runAudit(context, input) : runDb(context, input);
  },
};
