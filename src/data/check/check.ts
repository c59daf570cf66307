/**
 * `data check`: one current table against a reference — schema validation (on the current
 * table's profile, plus exact uniqueness), column drift, and poisoning signals. The check
 * fails when validation fails, the dataset drifts, or a poisoning signal crosses its threshold.
 * A reference given as a profile is compared from sketches (strict mode only); the poisoning
 * signals need the reference rows, so they are skipped and say so.
 */
import { RampartError } from '../../core/index.js';
import type { ColumnBatch } from '../table/batch.js';
import { detectPoisoning } from '../poisoning/index.js';
import type { PoisoningReport } from '../poisoning/index.js';
import { ProfileBuilder } from '../profile/index.js';
import type { DatasetProfile } from '../profile/index.js';
import { uniquenessChecker, validateProfile } from '../schema/index.js';
import type { DataSchema, UniquenessResult, ValidationReport } from '../schema/index.js';
import { collectTable, MAX_CHECK_CELLS } from './collect.js';
import { compareTables, type DriftMode, type DriftReport } from './drift.js';
import { isProfileReference, type ProfileReference } from './profile-source.js';
import { compareProfiles } from './sketch-drift.js';
import type { TableSource } from './source.js';

/** What to check. */
export interface CheckInput {
  /** A table, or a stored profile of one (then drift is computed from sketches). */
  readonly reference: TableSource | ProfileReference;
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
  /** `skipped` says why no signal was computed (a profile reference has no rows to compare). */
  readonly poisoning: PoisoningReport & { readonly skipped?: string };
  /** Why the check failed, one line each. */
  readonly reasons: readonly string[];
}

/**
 * Runs the check (reads the current table twice and a reference table three times; against a
 * profile, reads the current table once).
 * @throws RAMPART_DATA_CHECK_PROFILE_MODE for Evidently mode against a profile.
 */
export async function checkData(input: CheckInput): Promise<CheckReport> {
  const source = input.reference;
  if (isProfileReference(source)) return checkAgainstProfile(input, source);
  const maxCells = input.maxCells ?? MAX_CHECK_CELLS;
  const reference = await collectTable(source.batches(), maxCells);
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
    reference: () => source.batches(),
    current: () => input.current.batches(),
    ...(input.labelColumn === undefined ? {} : { labelColumn: input.labelColumn }),
    ...(input.history === undefined ? {} : { history: input.history }),
  });
  return assemble(input, reference.rows, current.rows, validation, drift, poisoning);
}

/** The check against a stored profile: one streaming pass over the current table. */
async function checkAgainstProfile(
  input: CheckInput,
  reference: ProfileReference,
): Promise<CheckReport> {
  if (input.mode === 'evidently') {
    throw new RampartError(
      'RAMPART_DATA_CHECK_PROFILE_MODE',
      `${reference.label} is a profile; Evidently mode needs the reference rows`,
    );
  }
  const builder = new ProfileBuilder();
  const unique = input.schema === undefined ? undefined : uniquenessChecker(input.schema);
  for await (const batch of input.current.batches()) {
    builder.add(batch);
    unique?.add(batch);
  }
  const profile = builder.finish();
  const validation =
    input.schema === undefined ? null : validate(profile, input.schema, unique?.finish() ?? []);
  const drift = compareProfiles(reference.profile, profile, {
    driftShare: input.driftShare,
    ignore: input.ignore,
  });
  const rows = { reference: reference.profile.rows, current: profile.rows };
  const poisoning = {
    signals: [],
    flagged: false,
    rows,
    skipped: 'the reference is a profile: the poisoning signals need its rows',
  };
  return assemble(input, rows.reference, rows.current, validation, drift, poisoning);
}

function assemble(
  input: CheckInput,
  referenceRows: number,
  currentRows: number,
  validation: CheckReport['validation'],
  drift: DriftReport,
  poisoning: CheckReport['poisoning'],
): CheckReport {
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
    reference: { label: input.reference.label, rows: referenceRows },
    current: { label: input.current.label, rows: currentRows },
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
