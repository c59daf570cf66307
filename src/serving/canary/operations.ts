/** Operator actions on canary deployments: start (gated on the registry), abort, reset, status. */
import type { Config } from '../../config/index.js';
import { RampartError } from '../../core/index.js';
import type { Principal, Resource } from '../../identity/index.js';
import {
  aliasesOf,
  approvedVersions,
  audited,
  checkModelName,
  integrityFailures,
  parseModelRef,
  quarantineOf,
  resolveModelVersion,
  wasApprovedFor,
  type ModelVersionRecord,
  type RegistryContext,
} from '../../registry/index.js';
import type { Executor } from '../../store/index.js';
import {
  createDeployment,
  readDeployment,
  updateDeployment,
  type Deployment,
  type DeploymentState,
} from './deployments.js';
import { checkSteps, DEFAULT_STEPS } from './steps.js';

/** A served model name resolved to the registry model and alias behind it. */
export interface ServedModel {
  readonly name: string;
  readonly model: string;
  readonly alias: string;
}

/**
 * Maps a served name through gateway.models (default: the registry model of the same name,
 * alias `production`).
 * @throws RAMPART_MODEL_NAME_INVALID
 */
export function servedModel(models: Config['gateway']['models'], name: string): ServedModel {
  checkModelName(name);
  const entry = models.find((m) => m.name === name);
  return { name, model: entry?.model ?? name, alias: entry?.alias ?? 'production' };
}

/** The deployment of a served model. @throws RAMPART_DEPLOYMENT_NOT_FOUND */
export async function deploymentStatus(db: Executor, model: string): Promise<Deployment> {
  const found = await readDeployment(db, checkModelName(model));
  if (found === undefined) {
    throw new RampartError('RAMPART_DEPLOYMENT_NOT_FOUND', `${model} has no canary deployment`);
  }
  return found;
}

/**
 * Starts a canary of `canary` (m@v) against what the served alias points at now. The canary
 * must exist, not be quarantined, verify (blobs, manifest, signature) and have been approved for
 * the served alias. Allowed or refused, the outcome is one audit entry (`deployment.start`).
 * @throws RAMPART_FORBIDDEN, RAMPART_MODEL_NOT_FOUND, RAMPART_MODEL_QUARANTINED,
 *   RAMPART_MODEL_INTEGRITY, RAMPART_DEPLOYMENT_REFUSED, RAMPART_CANARY_STEPS_INVALID
 */
export async function startDeployment(
  registry: RegistryContext,
  models: Config['gateway']['models'],
  actor: Principal,
  input: { readonly model: string; readonly canary: string; readonly steps?: readonly number[] },
): Promise<Deployment & { auditIndex: number }> {
  const served = servedModel(models, input.model);
  return audited(
    registry,
    actor,
    { permission: 'model.deploy', action: 'deployment.start' },
    deploymentResource(served.name),
    async () => {
      const steps = checkSteps(input.steps ?? DEFAULT_STEPS);
      const { record, stable } = await checkCanary(registry, served, input.canary);
      const label = `${record.name}@${record.version}`;
      const deployment: Deployment = {
        model: served.name,
        stableVersion: stable,
        canaryVersion: record.version,
        steps,
        step: 0,
        weight: steps[0] ?? 100,
        state: 'running',
        reason: `started by ${actor.subject}: ${label} against stable v${stable}, steps ${steps.join(',')}`,
        updatedBy: actor.subject,
        updatedAt: registry.now().toISOString(),
      };
      await createDeployment(registry.store, deployment);
      return { result: deployment, digest: record.digest, reason: deployment.reason ?? '' };
    },
  );
}

// The gate a canary passes before it gets any traffic; returns it and the alias's version.
async function checkCanary(
  registry: RegistryContext,
  served: ServedModel,
  canary: string,
): Promise<{ record: ModelVersionRecord; stable: number }> {
  const ref = parseModelRef(canary, true);
  if (ref.name !== served.model) {
    throw refused(`${canary} is not a version of ${served.model}, which ${served.name} serves`);
  }
  const db = registry.store;
  const record = await resolveModelVersion(db, ref);
  const label = `${record.name}@${record.version}`;
  const quarantine = await quarantineOf(db, record.name, record.version);
  if (quarantine !== null) {
    throw new RampartError(
      'RAMPART_MODEL_QUARANTINED',
      `${label} is quarantined: ${quarantine.reason}`,
    );
  }
  const failures = await integrityFailures(registry, record);
  if (failures.length > 0) {
    throw new RampartError(
      'RAMPART_MODEL_INTEGRITY',
      `${label} does not verify: ${failures.join('; ')}`,
      {
        details: { version: label, failures },
      },
    );
  }
  const { name, version } = record;
  if (!(await wasApprovedFor(db, { name, version, alias: served.alias }))) {
    throw refused(`${label} was never approved for ${served.alias}`);
  }
  // Normally the approval just moved the alias to the canary: the stable version is then the
  // one approved before it (the one the gateway served until now).
  let stable = (await aliasesOf(db, name))[served.alias];
  if (stable === version || stable === undefined) {
    stable = undefined;
    for (const candidate of await approvedVersions(db, { name, alias: served.alias })) {
      if (candidate !== version && (await quarantineOf(db, name, candidate)) === null) {
        stable = candidate;
        break;
      }
    }
  }
  if (stable === undefined) {
    throw refused(`${name}@${served.alias} has no other approved version to compare ${label} with`);
  }
  return { record, stable };
}

/**
 * Stops a running deployment (canary → 0 %, state `aborted`).
 * @throws RAMPART_FORBIDDEN, RAMPART_DEPLOYMENT_NOT_FOUND, RAMPART_DEPLOYMENT_STATE
 */
export function abortDeployment(
  registry: RegistryContext,
  actor: Principal,
  input: { readonly model: string; readonly reason?: string | undefined },
): Promise<Deployment & { auditIndex: number }> {
  return endDeployment(registry, actor, input, 'running', 'deployment.abort', 'aborted');
}

/**
 * Clears a latched rollback (state `aborted`, canary 0 %), so a new deployment may start.
 * @throws RAMPART_FORBIDDEN, RAMPART_DEPLOYMENT_NOT_FOUND, RAMPART_DEPLOYMENT_STATE
 */
export function resetDeployment(
  registry: RegistryContext,
  actor: Principal,
  input: { readonly model: string; readonly reason?: string | undefined },
): Promise<Deployment & { auditIndex: number }> {
  return endDeployment(registry, actor, input, 'rolled_back', 'deployment.reset', 'reset');
}

async function endDeployment(
  registry: RegistryContext,
  actor: Principal,
  input: { readonly model: string; readonly reason?: string | undefined },
  from: DeploymentState,
  action: string,
  verb: string,
): Promise<Deployment & { auditIndex: number }> {
  return audited(
    registry,
    actor,
    { permission: 'model.deploy', action },
    deploymentResource(input.model),
    async () => {
      const current = await deploymentStatus(registry.store, input.model);
      const why = (input.reason ?? '').trim().slice(0, 500);
      const next: Deployment = {
        ...current,
        weight: 0,
        state: 'aborted',
        reason: `${verb} by ${actor.subject}${why === '' ? '' : `: ${why}`}`,
        updatedBy: actor.subject,
        updatedAt: registry.now().toISOString(),
      };
      // Compare-and-set on the state: a gateway may roll back or promote in the meantime.
      const applied =
        current.state === from &&
        (await updateDeployment(registry.store, current, next, { anyStep: true }));
      if (!applied) {
        throw new RampartError(
          'RAMPART_DEPLOYMENT_STATE',
          `${input.model}: ${action === 'deployment.abort' ? '--abort applies to a running deployment' : '--reset applies to a rolled-back deployment'}, and this one is ${(await readDeployment(registry.store, input.model))?.state ?? 'gone'}`,
        );
      }
      return { result: next, reason: next.reason ?? '' };
    },
  );
}

function deploymentResource(model: string): Resource {
  return { type: 'deployment', id: model.slice(0, 256) };
}

function refused(message: string): RampartError {
  return new RampartError('RAMPART_DEPLOYMENT_REFUSED', message);
}
