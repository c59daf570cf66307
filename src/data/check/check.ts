/**
 * `data check`: one current table against a reference — schema validation (on the current
 * table's profile, plus exact uniqueness), column drift, and poisoning signals. The check
 * fails when validation fails, the dataset drifts, or a poisoning signal crosses its threshold.
 */
import type { ColumnBatch } from '../table/batch.js';
import { detectPoisoning } from '../poisoning/index.js';
import type { PoisoningReport } from '../poisoning/index.js';
import { ProfileBuilder } from '../profile/index.js';
import type { DatasetProfile } from '../profile/index.js';
import { uniquenessChecker, validateProfile } from '../schema/index.js';
import type { DataSchema, UniquenessResult, ValidationReport } from '../schema/index.js';
import { collectTable, MAX_CHECK_CELLS } from './collect.js';
import { compareTables, type DriftMode, type DriftReport } from './drift.js';
import type { TableSource } from './source.js';

/** What to check. */
export interface CheckInput {
  readonly reference: TableSource;
  readonly current: TableSource;
  readonly schema?: DataSchema | undefined;
  readonly mode?: DriftMode | undefined;
  /** The class label: enables the label-shift and label-flip signals. */
  readonly labelColumn?: string | undefined;
  /** Row counts of earlier versions of the dataset, oldest first (volume signal). */
  readonly history?: readonly number[] | undefined;
  readonly driftShare?: number | undefined;
  /** Columns left out of drift (e.g. ids). */
  readonly ignore?: readonly string[] | undefined;
  readonly maxCells?: number | undefined;
}

/** The whole check, as `data check --json` prints it. */
export interface CheckReport {
  readonly passed: boolean;
  readonly reference: { readonly label: string; readonly rows: number };
  readonly current: { readonly label: string; readonly rows: number };
  readonly validation:
    (ValidationReport & { readonly uniqueness: readonly UniquenessResult[] }) | null;
  readonly drift: DriftReport;
  readonly poisoning: PoisoningReport;
  /** Why the check failed, one line each. */
  readonly reasons: readonly string[];
}

/** Runs the check (reads the current table twice and the reference three times). */
export async function checkData(input: CheckInput): Promise<CheckReport> {
  const maxCells = input.maxCells ?? MAX_CHECK_CELLS;
  const reference = await collectTable(input.reference.batches(), maxCells);
  const profile = new ProfileBuilder();
  const unique = input.schema === undefined ? undefined : uniquenessChecker(input.schema);
  const current = await collectTable(
    tee(input.current.batches(), (batch) => {
      profile.add(batch);
      unique?.add(batch);
    }),
    maxCells,
  );
  const validation =
    input.schema === undefined
      ? null
      : validate(profile.finish(), input.schema, unique?.finish() ?? []);
  const drift = compareTables(reference, current, {
    mode: input.mode,
    driftShare: input.driftShare,
    ignore: input.ignore,
  });
  const poisoning = await detectPoisoning({
    reference: () => input.reference.batches(),
    current: () => input.current.batches(),
    ...(input.labelColumn === undefined ? {} : { labelColumn: input.labelColumn }),
    ...(input.history === undefined ? {} : { history: input.history }),
  });
  const reasons = [
    ...(validation === null || validation.passed
      ? []
      : [
          `validation: ${validation.failures.length} failure(s), first: ${validation.failures[0]?.message ?? ''}`,
        ]),
    ...(drift.dataset_drifted
      ? [
          `drift: ${Math.round(drift.share_drifted * 100)} % of columns drifted (threshold ${Math.round(drift.drift_share * 100)} %)`,
        ]
      : []),
    ...poisoning.signals.filter((s) => s.flagged).map((s) => `poisoning: ${s.name}: ${s.summary}`),
  ];
  return {
    passed: reasons.length === 0,
    reference: { label: input.reference.label, rows: reference.rows },
    current: { label: input.current.label, rows: current.rows },
    validation,
    drift,
    poisoning,
    reasons,
  };
}

function validate(
  profile: DatasetProfile,
  schema: DataSchema,
  uniqueness: readonly UniquenessResult[],
): ValidationReport & { uniqueness: readonly UniquenessResult[] } {
  const report = validateProfile(profile, schema);
  const duplicates = uniqueness
    .filter((u) => u.duplicates > 0)
    .map((u) => ({
      path: `columns.${u.column}.unique`,
      check: 'unique',
      expected: 'no duplicate values',
      observed: u.duplicates,
      message: `${u.column}: ${u.duplicates} duplicate value(s), e.g. row ${u.examples[0]?.row ?? '?'} repeats row ${u.examples[0]?.firstRow ?? '?'}`,
      approximate: false,
    }));
  const failures = [...report.failures, ...duplicates];
  return { ...report, passed: failures.length === 0, failures, uniqueness };
}

async function* tee(
  batches: AsyncIterable<ColumnBatch>,
  see: (batch: ColumnBatch) => void,
): AsyncIterable<ColumnBatch> {
  for await (const batch of batches) {
    see(batch);
    yield batch;
  }
}
