import path from 'node:path';
import { HashPool, RampartError } from '../../core/index.js';
import {
  addDatasetVersion,
  datasetContext,
  datasetLineage,
  datasetTrustedKey,
  listDatasets,
  showDatasetVersion,
  verifyDatasetVersion,
  type LineageNode,
  type VerifyDatasetResult,
} from '../../data/index.js';
import type { Principal } from '../../identity/index.js';
import type { State } from '../../state/index.js';
import { openSession } from '../session.js';
import { gateAdd, runCheck, runProfile, runSchemaInfer } from './data/check.js';
import type { Command, CommandContext, CommandInput, CommandResult } from '../command.js';
import { listOption, stringOption } from '../options.js';

type Action = (
  context: CommandContext,
  input: CommandInput,
  state: State,
  principal: Principal,
) => Promise<CommandResult>;

const ACTIONS: Readonly<Record<string, { args: string; run: Action }>> = {
  add: { args: '<path>', run: add },
  verify: { args: '<name[@version]> [path]', run: verify },
  show: { args: '<name[@version]>', run: show },
  list: { args: '', run: list },
  lineage: { args: '<name@version>', run: lineage },
};

// Checks of tables against a reference need no state folder unless a dataset version is named.
const TABLE_ACTIONS: Readonly<Record<string, typeof runCheck>> = {
  check: runCheck,
  schema: runSchemaInfer,
  profile: runProfile,
};

/** `rampart data <action>`: register, re-verify and inspect dataset versions. */
export const dataCommand: Command = {
  name: 'data',
  summary: 'Register dataset versions with manifests and signed provenance, and re-verify them',
  usage: 'data <add|verify|show|list|lineage|check|schema infer|profile> [arg] [options]',
  description: [
    'add <path> --name <name>   register a file or folder as an immutable version name@N: a',
    '                           manifest (SHA-256 of every file, and of every 64 MiB chunk of',
    '                           larger files) and a provenance statement signed with the state',
    '                           folder key. The same content again makes no new version.',
    'verify <name[@v]> [path]   re-hash (default: the path given at add) and compare; exit 1',
    '                           naming every changed (with byte ranges), missing or added file,',
    '                           or a provenance signature that does not verify. Files whose',
    '                           device, inode, size, mtime and ctime are unchanged since the',
    '                           last verify are answered from <home>/cache/dataset-verify;',
    '                           --no-cache rehashes everything.',
    'show <name[@v]>            the manifest summary and the provenance of a version',
    'list                       every dataset and its versions',
    'lineage <name@v>           the parents of a version, back to its sources',
    'check <path> --against <name@v | file>',
    '                           validate (--schema), compare column distributions (drift, --mode',
    '                           strict|evidently) and look for poisoning signals; exit 1 when',
    '                           validation fails, the dataset drifts or a signal is flagged',
    'schema infer <path>        a schema inferred from a reference table, to edit (--out F)',
    "profile <path>             a table's profile as JSON (--out F); check against it with",
    '                           --against F.json: drift from sketches, without the rows',
    'A version is name@N, name@sha256:<root digest>, or name alone for the latest. Every add and',
    'verify is written to the audit log. See docs/data.md.',
  ].join('\n'),
  options: {
    name: {
      type: 'string',
      value: '<name>',
      actions: ['add'],
      description: 'add: the dataset ([a-z0-9][a-z0-9._-]*)',
    },
    source: {
      type: 'string',
      value: '<uri>',
      actions: ['add'],
      description: 'add: where the data came from',
    },
    'collected-at': {
      type: 'string',
      value: '<time>',
      actions: ['add'],
      description: 'add: when it was collected (RFC 3339 time or date)',
    },
    transform: {
      type: 'string',
      multiple: true,
      value: '<text>',
      actions: ['add'],
      description: 'add: a transformation applied to the data (repeatable, in order)',
    },
    against: {
      type: 'string',
      value: '<name@v|file>',
      actions: ['check'],
      description:
        'check: the reference (a dataset version, re-verified first, a table file, or a .json profile)',
    },
    schema: {
      type: 'string',
      value: '<file>',
      actions: ['check'],
      description: 'check: a rampart.schema/v1 file (JSON or YAML) to validate against',
    },
    mode: {
      type: 'string',
      value: '<strict|evidently>',
      actions: ['check'],
      description: "check: drift tests (default strict; evidently = Evidently's defaults)",
    },
    format: {
      type: 'string',
      value: '<text|json|html>',
      actions: ['check'],
      description: 'check: the report format (html: a page with a chart per column)',
    },
    label: {
      type: 'string',
      value: '<column>',
      actions: ['check'],
      description: 'check: the label column (label shift and label-flip signals)',
    },
    ignore: {
      type: 'string',
      multiple: true,
      value: '<column>',
      actions: ['check'],
      description: 'check: a column to leave out of drift, e.g. an id (repeatable)',
    },
    out: {
      type: 'string',
      value: '<file>',
      actions: ['schema', 'profile'],
      description: 'schema infer: write the schema here (.json, else YAML); profile: the JSON file',
    },
    parent: {
      type: 'string',
      multiple: true,
      value: '<name@version>',
      actions: ['add'],
      description: 'add: a dataset version this one was derived from (repeatable)',
    },
    'no-cache': {
      type: 'boolean',
      actions: ['verify'],
      description: 'verify: rehash every file (ignore the incremental cache)',
    },
  },
  positionals: { min: 1, max: 3 },
  examples: [
    'rampart data add ./raw --name reviews-raw --source s3://corp/reviews/2026-03 --collected-at 2026-03-01',
    'rampart data add ./clean --name reviews --parent reviews-raw@1 --transform "drop PII columns"',
    'rampart data verify reviews@1',
    'rampart data lineage reviews@1 --json',
    'rampart data check ./today.parquet --against reviews@1 --schema reviews.schema.yaml --format html > report.html',
    'rampart data schema infer ./reference.csv --out reviews.schema.yaml',
    'rampart data profile ./reference.parquet --out reference.profile.json',
    'rampart data check ./today.parquet --against reference.profile.json',
  ],
  async run(context, input) {
    const [name = '', ...args] = input.positionals;
    const tableAction = Object.hasOwn(TABLE_ACTIONS, name) ? TABLE_ACTIONS[name] : undefined;
    if (tableAction !== undefined) return tableAction(context, input);
    const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
    if (action === undefined) {
      throw new RampartError('RAMPART_USAGE', `data: unknown action '${name}'`, {
        hint: `Use one of: ${[...Object.keys(ACTIONS), ...Object.keys(TABLE_ACTIONS)].join(', ')}.`,
      });
    }
    const allowed = action.args === '' ? 0 : action.args.split(' ').length;
    const required = action.args.split(' ').filter((arg) => arg.startsWith('<')).length;
    if (args.length < required || args.length > allowed) {
      throw new RampartError('RAMPART_USAGE', `data ${name}: wrong number of arguments`, {
        hint: `Usage: rampart data ${name} ${action.args}`.trimEnd(),
      });
    }
    const session = await openSession(context, { create: false });
    try {
      if (name !== 'add')
        await session.authorize('dataset.read', { type: 'dataset', id: args[0] ?? '*' });
      return await action.run(context, input, session.state, session.principal);
    } finally {
      await session.close();
    }
  },
};

async function withPool<T>(state: State, fn: (pool: HashPool) => Promise<T>): Promise<T> {
  const workers = state.config.hashing.workers;
  const pool = new HashPool(workers > 0 ? { size: workers } : {});
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}

async function add(
  context: CommandContext,
  input: CommandInput,
  state: State,
  principal: Principal,
): Promise<CommandResult> {
  const name = stringOption(input, 'name');
  if (name === undefined) {
    throw new RampartError('RAMPART_USAGE', 'data add: --name is required', {
      hint: 'Usage: rampart data add <path> --name <name>',
    });
  }
  const target = path.resolve(context.cwd, input.positionals[1] ?? '');
  const refused = await gateAdd(state, principal, name, target);
  if (refused !== undefined) return refused;
  const result = await withPool(state, async (pool) =>
    addDatasetVersion(await datasetContext(state, pool, principal), {
      path: target,
      name,
      source: stringOption(input, 'source'),
      collectedAt: stringOption(input, 'collected-at'),
      transforms: listOption(input, 'transform'),
      parents: listOption(input, 'parent'),
    }),
  );
  const text = result.created
    ? `Registered ${result.label}  ${result.digest}  (${result.fileCount} files, ${result.totalSize} bytes)`
    : `${result.label} already has this content (${result.digest}); no new version.`;
  return { exitCode: 0, json: result, text };
}

async function verify(
  context: CommandContext,
  input: CommandInput,
  state: State,
  principal: Principal,
): Promise<CommandResult> {
  const [, ref = '', at] = input.positionals;
  const readCache = input.options['no-cache'] !== true;
  const result = await withPool(state, async (pool) =>
    verifyDatasetVersion(
      { ...(await datasetContext(state, pool, principal)), readCache },
      ref,
      at === undefined ? undefined : path.resolve(context.cwd, at),
    ),
  );
  return { exitCode: result.verified ? 0 : 1, json: result, text: verifyText(result) };
}

function verifyText(result: VerifyDatasetResult): string {
  if (result.verified) {
    return `Verified ${result.label}  ${result.digest}: every file matches and the provenance signature is valid.`;
  }
  const lines = [`${result.label} does NOT verify against ${result.path}:`];
  for (const file of result.changed) {
    const ranges = file.ranges?.map((r) => `[${r.start}, ${r.end})`).join(', ');
    lines.push(`  changed  ${file.path}${ranges === undefined ? '' : `  bytes ${ranges}`}`);
  }
  lines.push(...result.missing.map((file) => `  missing  ${file}`));
  lines.push(...result.added.map((file) => `  added    ${file}`));
  if (result.provenance.error !== undefined) {
    lines.push(`  provenance  ${result.provenance.error.code}: ${result.provenance.error.message}`);
  }
  return lines.join('\n');
}

async function show(
  _context: CommandContext,
  input: CommandInput,
  state: State,
): Promise<CommandResult> {
  const view = await showDatasetVersion(
    state.store,
    await datasetTrustedKey(state),
    input.positionals[1] ?? '',
  );
  const p = view.provenance;
  const lines = [
    `${view.label}  ${view.digest}`,
    `  files        ${view.fileCount} (${view.totalSize} bytes; ${view.manifest.chunkedFiles} chunked at ${view.manifest.chunkSize} bytes)`,
    `  manifest     ${view.manifest.digest}`,
    `  path         ${view.path}`,
    `  registered   ${view.createdAt}${p === null ? '' : ` by ${p.registeredBy.subject}`}`,
    `  signature    ${view.signature.verified ? 'valid' : `INVALID: ${view.signature.error?.message ?? ''}`}`,
  ];
  if (p !== null) {
    lines.push(`  source       ${p.source ?? '-'}`, `  collected    ${p.collectedAt ?? '-'}`);
    lines.push(...p.transforms.map((t, i) => `  transform ${i + 1}  ${t}`));
    lines.push(...p.parents.map((parent) => `  parent       ${parent.name}  ${parent.digest}`));
  }
  return { exitCode: view.signature.verified ? 0 : 1, json: view, text: lines.join('\n') };
}

async function list(
  _context: CommandContext,
  _input: CommandInput,
  state: State,
): Promise<CommandResult> {
  const datasets = await listDatasets(state.store);
  const lines = datasets.flatMap((dataset) => [
    dataset.name,
    ...dataset.versions.map(
      (v) =>
        `  @${v.sequence}  ${v.digest}  ${v.fileCount} files  ${v.totalSize} bytes  ${v.createdAt}`,
    ),
  ]);
  return {
    exitCode: 0,
    json: { datasets },
    text: lines.length === 0 ? 'No datasets registered.' : lines.join('\n'),
  };
}

async function lineage(
  _context: CommandContext,
  input: CommandInput,
  state: State,
): Promise<CommandResult> {
  const tree = await datasetLineage(
    state.store,
    await datasetTrustedKey(state),
    input.positionals[1] ?? '',
  );
  return {
    exitCode: allVerified(tree) ? 0 : 1,
    json: tree,
    text: treeText(tree, '', '').join('\n'),
  };
}

function treeText(node: LineageNode, first: string, rest: string): string[] {
  const notes = [
    ...(node.source === null ? [] : [`source ${node.source}`]),
    ...(node.repeated ? ['(see above)'] : []),
    ...(node.signature.verified ? [] : ['PROVENANCE INVALID']),
  ];
  const lines = [
    `${first}${node.label}  ${node.digest}${notes.length > 0 ? `  ${notes.join('  ')}` : ''}`,
  ];
  node.parents.forEach((parent, index) => {
    const last = index === node.parents.length - 1;
    lines.push(
      ...treeText(parent, `${rest}${last ? '└─ ' : '├─ '}`, `${rest}${last ? '   ' : '│  '}`),
    );
  });
  return lines;
}

function allVerified(node: LineageNode): boolean {
  return node.signature.verified && node.parents.every(allVerified);
}
