/**
 * The ingestion gate of a dataset with a policy (datasets.policies in rampart.yaml): a new
 * version must pass `data check` against the latest registered version (re-verified first) —
 * or, for a first version, its schema — before it is registered.
 */
import { RampartError } from '../../core/index.js';
import { datasetEvent, type DatasetContext } from '../context.js';
import { parseDatasetRef } from '../names.js';
import { findVersion } from '../repository.js';
import type { DataSchema } from '../schema/index.js';
import { verifyDatasetVersion } from '../verify.js';
import { checkData, type CheckReport } from './check.js';
import type { DriftMode } from './drift.js';
import { openTableSource } from './source.js';

/** What a dataset's policy asks of a new version. */
export interface IngestionPolicy {
  readonly schema?: DataSchema | undefined;
  readonly labelColumn?: string | undefined;
  readonly mode?: DriftMode | undefined;
}

/**
 * Checks `target` as the next version of `name` (a failure is an audit entry): against the latest version (its own check
 * includes the schema), or, for a first version, against itself (schema and in-table signals
 * only; nothing drifts from itself).
 * @throws RAMPART_DATA_REFERENCE_UNVERIFIED when the latest version does not verify.
 */
export async function checkNextVersion(
  context: DatasetContext,
  name: string,
  target: string,
  policy: IngestionPolicy,
): Promise<CheckReport> {
  const latest = await findVersion(context.store, parseDatasetRef(name));
  const current = await openTableSource(target, target);
  let reference = current;
  if (latest !== undefined) {
    const label = `${latest.name}@${latest.sequence}`;
    const checked = await verifyDatasetVersion(context, label);
    if (!checked.verified) {
      throw new RampartError(
        'RAMPART_DATA_REFERENCE_UNVERIFIED',
        `${label} does not verify, so the next version cannot be checked against it`,
        { hint: `Run \`rampart data verify ${label}\` to see what changed.` },
      );
    }
    reference = await openTableSource(checked.path, label);
  }
  const report = await checkData({
    reference,
    current,
    schema: policy.schema,
    mode: policy.mode,
    labelColumn: policy.labelColumn,
  });
  if (!report.passed) {
    const reason = `the dataset policy's check failed: ${report.reasons.join('; ')}`;
    await context.audit.append(
      datasetEvent(context, 'dataset.add', { id: name }, { allowed: false, reason }),
    );
  }
  return report;
}
