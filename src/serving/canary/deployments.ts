/** Store access for canary deployments (table `deployments`, migration 0005). */
import { isRampartError, RampartError } from '../../core/index.js';
import type { Executor } from '../../store/index.js';
import { checkSteps } from './steps.js';

/** Where a deployment stands. */
export const DEPLOYMENT_STATES = ['running', 'promoted', 'rolled_back', 'aborted'] as const;

/**
 * `running`: stepping through the schedule; `promoted`: the last step (100 %) passed and the
 * canary is the stable version; `rolled_back`: a gate failed, the canary gets 0 % until an
 * operator resets it (latched); `aborted`: stopped or reset by an operator, 0 %.
 */
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

/** One served model's canary deployment. */
export interface Deployment {
  /** The served model name (gateway.models[].name). */
  readonly model: string;
  readonly stableVersion: number;
  readonly canaryVersion: number;
  /** Canary percentages, increasing, ending at 100. */
  readonly steps: readonly number[];
  /** Index into `steps` of the current step. */
  readonly step: number;
  /** The canary's share of traffic now, 0 to 100. */
  readonly weight: number;
  readonly state: DeploymentState;
  readonly reason: string | null;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

/** What a change writes. */
export type DeploymentChange = Pick<
  Deployment,
  'stableVersion' | 'step' | 'weight' | 'state' | 'reason' | 'updatedBy' | 'updatedAt'
>;

interface DeploymentRow {
  [key: string]: unknown;
  model: string;
  stable_version: number;
  canary_version: number;
  steps: string;
  step: number;
  weight: number;
  state: string;
  reason: string | null;
  updated_by: string;
  updated_at: string;
}

const COLUMNS =
  'model, stable_version, canary_version, steps, step, weight, state, reason, updated_by, updated_at';

/** States after which a new deployment of the same model may start. */
const ENDED: readonly DeploymentState[] = ['promoted', 'aborted'];

/**
 * The deployment of a served model, or undefined.
 * @throws RAMPART_DEPLOYMENT_STATE when the stored row is damaged
 */
export async function readDeployment(db: Executor, model: string): Promise<Deployment | undefined> {
  const [row] = await db.query<DeploymentRow>(
    `SELECT ${COLUMNS} FROM deployments WHERE model = ?`,
    [model],
  );
  if (row === undefined) return undefined;
  const parsed = toDeployment(row);
  if (typeof parsed === 'string') {
    throw new RampartError(
      'RAMPART_DEPLOYMENT_STATE',
      `the stored deployment of ${model} is damaged: ${parsed}`,
      { hint: 'Abort it with `rampart deploy <model> --abort` and start a new one.' },
    );
  }
  return parsed;
}

/** Every deployment that reads back intact, and the models whose rows are damaged. */
export async function listDeployments(
  db: Executor,
): Promise<{ deployments: Deployment[]; damaged: string[] }> {
  const rows = await db.query<DeploymentRow>(`SELECT ${COLUMNS} FROM deployments ORDER BY model`);
  const deployments: Deployment[] = [];
  const damaged: string[] = [];
  for (const row of rows) {
    const parsed = toDeployment(row);
    if (typeof parsed === 'string') damaged.push(row.model);
    else deployments.push(parsed);
  }
  return { deployments, damaged };
}

/**
 * Starts a deployment: inserts it, or replaces a promoted or aborted one of the same model.
 * A running or rolled-back (latched) deployment is never replaced.
 * @throws RAMPART_DEPLOYMENT_REFUSED when one is running or latched, or another process
 *   started one at the same moment
 */
export async function createDeployment(db: Executor, deployment: Deployment): Promise<void> {
  const busy = (state: string) =>
    new RampartError(
      'RAMPART_DEPLOYMENT_REFUSED',
      `a deployment of ${deployment.model} is ${state === 'rolled_back' ? 'latched after a rollback' : state}`,
      {
        hint:
          state === 'rolled_back'
            ? `Clear it with \`rampart deploy ${deployment.model} --reset\` first.`
            : `Wait for it, or stop it with \`rampart deploy ${deployment.model} --abort\`.`,
        details: { model: deployment.model, state },
      },
    );
  const values = [
    deployment.stableVersion,
    deployment.canaryVersion,
    JSON.stringify(deployment.steps),
    deployment.step,
    deployment.weight,
    deployment.state,
    deployment.reason,
    deployment.updatedBy,
    deployment.updatedAt,
  ];
  const replaced = await db.run(
    `UPDATE deployments SET stable_version = ?, canary_version = ?, steps = ?, step = ?, weight = ?, state = ?, reason = ?, updated_by = ?, updated_at = ? WHERE model = ? AND state IN (${ENDED.map(() => '?').join(', ')})`,
    [...values, deployment.model, ...ENDED],
  );
  if (replaced.changes === 1) return;
  try {
    await db.run(`INSERT INTO deployments (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      deployment.model,
      ...values,
    ]);
  } catch (error) {
    if (!isRampartError(error, 'RAMPART_STORE_CONFLICT')) throw error;
    const [row] = await db.query<{ state: string }>(
      'SELECT state FROM deployments WHERE model = ?',
      [deployment.model],
    );
    throw busy(row?.state ?? 'running');
  }
}

/**
 * Compare-and-set: applies `change` only if the row still is the deployment `expected` was read
 * from (same versions and schedule), in the same state, and — unless `anyStep` — at the same
 * step. Returns whether it applied; false means another process changed it first.
 */
export async function updateDeployment(
  db: Executor,
  expected: Deployment,
  change: DeploymentChange,
  options: { readonly anyStep?: boolean } = {},
): Promise<boolean> {
  const stepClause = options.anyStep === true ? '' : ' AND step = ?';
  const done = await db.run(
    `UPDATE deployments SET stable_version = ?, step = ?, weight = ?, state = ?, reason = ?, updated_by = ?, updated_at = ? WHERE model = ? AND stable_version = ? AND canary_version = ? AND steps = ? AND state = ?${stepClause}`,
    [
      change.stableVersion,
      change.step,
      change.weight,
      change.state,
      change.reason,
      change.updatedBy,
      change.updatedAt,
      expected.model,
      expected.stableVersion,
      expected.canaryVersion,
      JSON.stringify(expected.steps),
      expected.state,
      ...(options.anyStep === true ? [] : [expected.step]),
    ],
  );
  return done.changes === 1;
}

// A row is trusted only when it is self-consistent; anything else is reported, not served.
function toDeployment(row: DeploymentRow): Deployment | string {
  const state = DEPLOYMENT_STATES.find((s) => s === row.state);
  if (state === undefined) return `unknown state ${JSON.stringify(row.state).slice(0, 40)}`;
  let steps: readonly number[];
  try {
    const parsed: unknown = JSON.parse(row.steps);
    if (!Array.isArray(parsed)) return 'steps is not a list';
    steps = checkSteps(parsed as number[]);
  } catch (error) {
    return error instanceof Error ? error.message : 'steps do not parse';
  }
  if (!Number.isInteger(row.step) || row.step < 0 || row.step >= steps.length)
    return `step ${row.step} is outside the schedule`;
  if (!Number.isInteger(row.weight) || row.weight < 0 || row.weight > 100)
    return `weight ${row.weight} is not a percentage`;
  return {
    model: row.model,
    stableVersion: row.stable_version,
    canaryVersion: row.canary_version,
    steps,
    step: row.step,
    weight: row.weight,
    state,
    reason: row.reason,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  };
}
