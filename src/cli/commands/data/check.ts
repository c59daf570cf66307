/**
 * `rampart data check`, `data schema infer` and `data profile`: printing and argument handling
 * only.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { HashPool, RampartError, writeFileAtomic } from '../../../core/index.js';
import {
  checkData,
  checkNextVersion,
  datasetContext,
  inferSchema,
  isProfilePath,
  openTableSource,
  parseSchemaText,
  profileToJson,
  readProfileFile,
  renderCheckHtml,
  verifyDatasetVersion,
  type CheckReport,
  type DriftMode,
  type ProfileReference,
  type TableSource,
} from '../../../data/index.js';
import type { Principal } from '../../../identity/index.js';
import type { State } from '../../../state/index.js';
import type { CommandContext, CommandInput, CommandResult } from '../../command.js';
import { listOption, stringOption } from '../../options.js';
import { openSession, type Session } from '../../session.js';

const MODES = ['evidently', 'strict'] as const;
const FORMATS = ['text', 'json', 'html'] as const;

/** Runs `data check <path> --against <name@N | file>`. */
export async function runCheck(
  context: CommandContext,
  input: CommandInput,
): Promise<CommandResult> {
  const target = input.positionals[1];
  const against = stringOption(input, 'against');
  if (target === undefined || against === undefined || input.positionals.length > 2) {
    throw new RampartError(
      'RAMPART_USAGE',
      'data check: give one <path> and --against <name@N | file>',
      {
        hint: 'Usage: rampart data check <path> --against <name@version | reference-file> [--schema F]',
      },
    );
  }
  const mode = choice(input, 'mode', MODES, 'strict') as DriftMode;
  const format = input.options.json === true ? 'json' : choice(input, 'format', FORMATS, 'text');
  const schemaFile = stringOption(input, 'schema');
  const schema =
    schemaFile === undefined
      ? undefined
      : parseSchemaText(await readFile(path.resolve(context.cwd, schemaFile), 'utf8'));
  const resolve = (p: string) => path.resolve(context.cwd, p);
  const isDataset = !existsSync(resolve(against)) && against.includes('@');
  const session = isDataset ? await openSession(context, { create: false }) : undefined;
  try {
    // A .json reference is a profile (`data profile`): drift from sketches, strict mode only.
    const reference: TableSource | ProfileReference = isDataset
      ? await datasetSource(session as Session, against)
      : isProfilePath(against)
        ? await readProfileFile(resolve(against), against)
        : await openTableSource(resolve(against), against);
    const current = await openTableSource(resolve(target), target);
    const report = await checkData({
      reference,
      current,
      schema,
      mode,
      labelColumn: stringOption(input, 'label'),
      ignore: listOption(input, 'ignore'),
    });
    if (session !== undefined) {
      await session.identity.access.record(
        session.principal,
        'dataset.check',
        { type: 'dataset', id: against },
        {
          allowed: report.passed,
          reason: report.passed ? `${target} passed` : report.reasons.join('; '),
        },
      );
    }
    const exitCode = report.passed ? 0 : 1;
    const text = format === 'html' ? renderCheckHtml(report) : renderText(report);
    return { exitCode, json: report, text };
  } finally {
    await session?.close();
  }
}

// A registered dataset version is re-verified before it is trusted as the reference.
async function datasetSource(session: Session, ref: string): Promise<TableSource> {
  await session.authorize('dataset.read', { type: 'dataset', id: ref });
  const workers = session.state.config.hashing.workers;
  const pool = new HashPool(workers > 0 ? { size: workers } : {});
  try {
    const checked = await verifyDatasetVersion(
      await datasetContext(session.state, pool, session.principal),
      ref,
    );
    if (!checked.verified) {
      throw new RampartError(
        'RAMPART_DATA_REFERENCE_UNVERIFIED',
        `reference ${checked.label} does not verify; it cannot be a reference`,
        {
          hint: `Run \`rampart data verify ${checked.label}\` to see what changed.`,
        },
      );
    }
    return await openTableSource(checked.path, checked.label);
  } finally {
    await pool.close();
  }
}

function choice(
  input: CommandInput,
  name: string,
  allowed: readonly string[],
  fallback: string,
): string {
  const value = stringOption(input, name) ?? fallback;
  if (!allowed.includes(value)) {
    throw new RampartError('RAMPART_USAGE', `--${name} ${value}: use one of ${allowed.join(', ')}`);
  }
  return value;
}

function renderText(report: CheckReport): string {
  const d = report.drift;
  const lines = [
    `${report.passed ? 'PASSED' : 'FAILED'}: ${report.current.label} (${report.current.rows} rows) against ${report.reference.label} (${report.reference.rows} rows)`,
    ...report.reasons.map((r) => `  ${r}`),
    `drift (${d.mode}${d.correction === 'bh' ? ', BH-corrected' : ''}): ${d.columns.filter((c) => c.drifted).length}/${d.columns.length} columns, share ${d.share_drifted.toFixed(3)} (dataset drifts at ${d.drift_share})`,
    ...d.columns.map(
      (c) =>
        `  ${c.drifted ? 'DRIFT' : 'ok   '}  ${c.name.padEnd(20)} ${c.test.padEnd(22)} score ${c.score.toPrecision(4)}  threshold ${c.threshold}${c.effect === undefined ? '' : `  ${c.effect.measure} ${c.effect.value.toPrecision(3)}`}`,
    ),
    ...d.skipped.map((s) => `  skip   ${s.name}: ${s.reason}`),
  ];
  if (report.validation !== null) {
    lines.push(
      `validation: ${report.validation.passed ? 'passed' : `${report.validation.failures.length} failure(s)`}`,
    );
    lines.push(...report.validation.failures.map((f) => `  ${f.path}: ${f.message}`));
  }
  const skipped = report.poisoning.skipped;
  lines.push(`poisoning signals:${skipped === undefined ? '' : ` skipped (${skipped})`}`);
  lines.push(
    ...report.poisoning.signals.map(
      (s) => `  ${s.flagged ? 'FLAG' : 'ok  '}  ${s.name.padEnd(18)} ${s.summary}`,
    ),
  );
  return lines.join('\n');
}

/** Runs `data schema infer <path> [--out F]`: a schema people edit, inferred from a reference. */
export async function runSchemaInfer(
  context: CommandContext,
  input: CommandInput,
): Promise<CommandResult> {
  const [, sub, target] = input.positionals;
  if (sub !== 'infer' || target === undefined || input.positionals.length > 3) {
    throw new RampartError(
      'RAMPART_USAGE',
      'data schema: use `data schema infer <path> [--out F]`',
    );
  }
  const source = await openTableSource(path.resolve(context.cwd, target), target);
  const schema = inferSchema(await source.buildProfile());
  const out = stringOption(input, 'out');
  const text =
    out?.endsWith('.json') === true ? `${JSON.stringify(schema, null, 2)}\n` : toYaml(schema);
  if (out !== undefined) {
    await writeFileAtomic(path.resolve(context.cwd, out), text, { mode: 0o644, exclusive: false });
    return {
      exitCode: 0,
      json: { schema, out },
      text: `Wrote ${out} (${Object.keys(schema.columns).length} columns); edit it, then pass it to data check --schema.`,
    };
  }
  return { exitCode: 0, json: { schema }, text: text.trimEnd() };
}

/** Runs `data profile <path> [--out F]`: a table's profile as JSON, a reference to check against. */
export async function runProfile(
  context: CommandContext,
  input: CommandInput,
): Promise<CommandResult> {
  const target = input.positionals[1];
  if (target === undefined || input.positionals.length > 2) {
    throw new RampartError('RAMPART_USAGE', 'data profile: give one <path>', {
      hint: 'Usage: rampart data profile <path> [--out F]',
    });
  }
  const source = await openTableSource(path.resolve(context.cwd, target), target);
  const profile = profileToJson(await source.buildProfile());
  const out = stringOption(input, 'out');
  if (out === undefined) return { exitCode: 0, json: profile, text: JSON.stringify(profile) };
  await writeFileAtomic(path.resolve(context.cwd, out), `${JSON.stringify(profile)}\n`, {
    mode: 0o644,
    exclusive: false,
  });
  return {
    exitCode: 0,
    json: { out, rows: profile.rows, columns: profile.columns.length },
    text: `Wrote ${out} (${profile.rows} rows, ${profile.columns.length} columns); check against it with data check --against ${out}.`,
  };
}

/**
 * `data add` of a dataset with a policy (datasets.policies): the new version must pass the
 * check against the latest version first; a refusal is audited and returned (exit 1).
 */
export async function gateAdd(
  state: State,
  principal: Principal,
  name: string,
  target: string,
): Promise<CommandResult | undefined> {
  const policy = Object.hasOwn(state.config.datasets.policies, name)
    ? state.config.datasets.policies[name]
    : undefined;
  if (policy === undefined || !policy.requireCheck) return undefined;
  const schema =
    policy.schema === null
      ? undefined
      : parseSchemaText(await readFile(path.resolve(state.layout.home, policy.schema), 'utf8'));
  const workers = state.config.hashing.workers;
  const pool = new HashPool(workers > 0 ? { size: workers } : {});
  let report: CheckReport;
  try {
    report = await checkNextVersion(await datasetContext(state, pool, principal), name, target, {
      schema,
      labelColumn: policy.label ?? undefined,
      mode: policy.mode,
    });
  } finally {
    await pool.close();
  }
  if (report.passed) return undefined;
  const reason = `the dataset policy's check failed: ${report.reasons.join('; ')}`;
  return {
    exitCode: 1,
    json: { error: { code: 'RAMPART_DATASET_REFUSED', message: reason }, check: report },
    text: [`data add ${name} REFUSED by its policy:`, ...report.reasons.map((r) => `  ${r}`)].join(
      '\n',
    ),
  };
}
