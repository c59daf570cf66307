import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { HashPool, RampartError } from '../../core/index.js';
import {
  addDatasetVersion,
  checkData,
  datasetContext,
  openTableSource,
  parseSchemaText,
  verifyDatasetVersion,
} from '../../data/index.js';
import { showModel } from '../../registry/index.js';
import type { Command } from '../command.js';
import { actionArgument, actionOf, listOption, stringOption } from '../options.js';
import { openSession, withRegistry, type Session } from '../session.js';

const ACTIONS = ['add'] as const;

/** `rampart feedback add`: production feedback enters only through the ingestion gate. */
export const feedbackCommand: Command = {
  name: 'feedback',
  summary: 'Accept production feedback as a dataset version, only if it passes the data checks',
  usage: 'feedback add <path> --model <m> [--against <name@N>] [--schema F] [--label <column>]',
  description: [
    'add <path>   checks the feedback table against the dataset version the model was trained',
    '             on (the production version`s first linked dataset, or --against): schema',
    '             validation, drift (strict mode) and poisoning signals (label flips, injected',
    '             duplicates, outliers, …). Only a passing table becomes a new version of',
    '             <dataset>-feedback (or --name), with the reference as its parent and a',
    '             signed provenance; a failing one is refused (exit 1) and the refusal audited.',
    'See docs/data-check.md.',
  ].join('\n'),
  options: {
    model: { type: 'string', value: '<m>', actions: ['add'], description: 'the served model' },
    against: {
      type: 'string',
      value: '<name@N>',
      actions: ['add'],
      description: 'the reference version (default: what <m>@production was trained on)',
    },
    schema: { type: 'string', value: '<file>', actions: ['add'], description: 'a schema file' },
    label: { type: 'string', value: '<column>', actions: ['add'], description: 'the label column' },
    ignore: {
      type: 'string',
      multiple: true,
      value: '<column>',
      actions: ['add'],
      description: 'a column left out of drift (repeatable)',
    },
    name: { type: 'string', value: '<name>', actions: ['add'], description: 'the dataset name' },
    source: { type: 'string', value: '<uri>', actions: ['add'], description: 'where it came from' },
  },
  positionals: { min: 1, max: 2 },
  examples: ['rampart feedback add ./labels-2026-11.csv --model fraud --label fraud'],
  async run(context, input) {
    actionOf('feedback', input, ACTIONS);
    const target = path.resolve(context.cwd, actionArgument('feedback', input, '<path>'));
    const model = stringOption(input, 'model');
    if (model === undefined)
      throw new RampartError('RAMPART_USAGE', 'feedback add: --model is required');
    const schemaFile = stringOption(input, 'schema');
    const schema =
      schemaFile === undefined
        ? undefined
        : parseSchemaText(await readFile(path.resolve(context.cwd, schemaFile), 'utf8'));
    const session = await openSession(context, { create: false });
    const workers = session.state.config.hashing.workers;
    const pool = new HashPool(workers > 0 ? { size: workers } : {});
    try {
      await session.authorize('dataset.add', { type: 'dataset', id: `feedback:${model}` });
      const data = await datasetContext(session.state, pool, session.principal);
      const againstRef = stringOption(input, 'against') ?? (await trainedOn(session, model));
      const reference = await verifyDatasetVersion(data, againstRef);
      if (!reference.verified) {
        throw new RampartError(
          'RAMPART_DATA_REFERENCE_UNVERIFIED',
          `reference ${reference.label} does not verify`,
        );
      }
      const report = await checkData({
        reference: await openTableSource(reference.path, reference.label),
        current: await openTableSource(target, target),
        schema,
        mode: 'strict',
        labelColumn: stringOption(input, 'label'),
        ignore: listOption(input, 'ignore'),
      });
      const name =
        stringOption(input, 'name') ??
        `${reference.label.slice(0, reference.label.lastIndexOf('@'))}-feedback`;
      if (!report.passed) {
        await session.identity.access.record(
          session.principal,
          'feedback.add',
          { type: 'dataset', id: name },
          { allowed: false, reason: `feedback for ${model} refused: ${report.reasons.join('; ')}` },
        );
        return {
          exitCode: 1,
          json: { accepted: false, check: report },
          text: [`Feedback REFUSED for ${model}:`, ...report.reasons.map((r) => `  ${r}`)].join(
            '\n',
          ),
        };
      }
      const added = await addDatasetVersion(data, {
        path: target,
        name,
        source: stringOption(input, 'source'),
        parents: [reference.label],
        transforms: [`production feedback for model ${model}, checked against ${reference.label}`],
      });
      return {
        exitCode: 0,
        json: { accepted: true, version: added, check: report },
        text: `Feedback accepted as ${added.label} (${added.digest}), parent ${reference.label}.`,
      };
    } finally {
      await pool.close();
      await session.close();
    }
  },
};

// The dataset version the production version of the model was trained on.
async function trainedOn(session: Session, model: string): Promise<string> {
  const view = await withRegistry(session, (registry) =>
    showModel(registry, session.principal, `${model}@production`),
  );
  const datasets = 'datasets' in view ? view.datasets : [];
  const first = datasets[0];
  if (first === undefined || datasets.length > 1) {
    throw new RampartError(
      'RAMPART_USAGE',
      `feedback add: ${model}@production is linked to ${datasets.length} dataset versions; name the reference with --against <name@N>`,
    );
  }
  return `${first.name}@${first.sequence}`;
}
