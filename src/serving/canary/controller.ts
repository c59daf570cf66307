import type { Config } from '../../config/index.js';
import { wrapError } from '../../core/index.js';
import type { AuditSink } from '../../identity/index.js';
import type { Store } from '../../store/index.js';
import {
  listDeployments,
  readDeployment,
  updateDeployment,
  type Deployment,
  type DeploymentChange,
} from './deployments.js';
import { canaryMetricsText, type CanaryCounters } from './metrics.js';
import { Window, type Verdict } from './window.js';

/** Who the controller's changes are recorded as (audit actor, `updated_by`). */
export const CONTROLLER_ACTOR = 'rampart-gateway';

/** What the controller needs; everything injectable so tests drive time and audit. */
export interface CanaryControllerOptions {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly config: Config['gateway']['canary'];
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/** One outcome of a forwarded request. */
export interface RequestOutcome {
  readonly status: number;
  readonly latencyMs: number;
  readonly upstreamFailed: boolean;
}

interface Tracked {
  deployment: Deployment;
  window: Window;
  windowStart: number;
}

type Transition = 'step' | 'promote' | 'rollback';

/**
 * The canary controller of one gateway process. It keeps each served model's deployment (read
 * from the store, where the CLI and other gateway processes change it), gathers the canary's own
 * request outcomes per evaluation window, and at the end of each window advances a step,
 * promotes, or rolls back to 0 % (latched). Every change is a compare-and-set in the store, so
 * of several gateway processes only one applies it, and one audit entry.
 */
export class CanaryController {
  readonly #options: CanaryControllerOptions;
  readonly #tracked = new Map<string, Tracked>();
  readonly #counters: CanaryCounters = { transitions: new Map(), windows: new Map() };
  // refresh() and evaluate() run one at a time, so neither sees the other's half-done work.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: CanaryControllerOptions) {
    this.#options = Object.freeze({ ...options, config: Object.freeze({ ...options.config }) });
  }

  /** The canary's current weight (0–100) for a served model, or null without a deployment. */
  weight(model: string): { stable: number; canary: number; weight: number } | null {
    const tracked = this.#tracked.get(model);
    if (tracked === undefined) return null;
    const d = tracked.deployment;
    // Only a running or promoted deployment sends the canary anything: fail closed otherwise.
    const weight = d.state === 'running' || d.state === 'promoted' ? d.weight : 0;
    return { stable: d.stableVersion, canary: d.canaryVersion, weight };
  }

  /** Per-request outcome for the version that served it (only the canary's count). */
  record(model: string, version: number, outcome: RequestOutcome): void {
    const tracked = this.#tracked.get(model);
    if (tracked === undefined) return;
    const d = tracked.deployment;
    if (d.state !== 'running' || version !== d.canaryVersion) return;
    tracked.window.add(outcome.latencyMs, outcome.status >= 500 || outcome.upstreamFailed);
  }

  /** Evaluates finished windows: advance a step, promote, or roll back (to 0 at once, latched). */
  evaluate(): Promise<void> {
    return this.#serial(() => this.#evaluate());
  }

  /** Loads deployments from the store (the CLI changes them from another process). */
  refresh(): Promise<void> {
    return this.#serial(async () => {
      const { deployments } = await listDeployments(this.#options.store);
      const seen = new Set<string>();
      for (const deployment of deployments) {
        seen.add(deployment.model);
        this.#adopt(deployment);
      }
      // A deleted or damaged row stops all canary traffic for that model (weight → null).
      for (const model of [...this.#tracked.keys()])
        if (!seen.has(model)) this.#tracked.delete(model);
    });
  }

  /** Prometheus text: weight, state, transitions and window outcomes per served model. */
  metricsText(): string {
    const deployments = [...this.#tracked.values()].map((t) => t.deployment);
    return canaryMetricsText(deployments, this.#counters);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  // Keeps the running window when the deployment is still at the same step; else starts one.
  #adopt(deployment: Deployment): void {
    const current = this.#tracked.get(deployment.model);
    if (current !== undefined && sameStep(current.deployment, deployment)) {
      current.deployment = deployment;
      return;
    }
    this.#tracked.set(deployment.model, {
      deployment,
      window: new Window(this.#options.config),
      windowStart: this.#options.now(),
    });
  }

  async #evaluate(): Promise<void> {
    const failures: unknown[] = [];
    for (const tracked of [...this.#tracked.values()]) {
      const now = this.#options.now();
      if (tracked.deployment.state !== 'running') continue;
      if (now - tracked.windowStart < this.#options.config.windowMs) continue;
      const verdict = tracked.window.verdict();
      bump(this.#counters.windows, tracked.deployment.model, verdict.outcome);
      if (verdict.outcome === 'inconclusive') {
        // Hold the weight; judge the next window on its own samples.
        tracked.window = new Window(this.#options.config);
        tracked.windowStart = now;
        continue;
      }
      try {
        await this.#transition(tracked.deployment, verdict, now);
      } catch (error) {
        failures.push(error);
      }
    }
    const [first] = failures;
    if (first !== undefined) {
      throw wrapError(first, 'RAMPART_INTERNAL', 'the canary controller failed to evaluate');
    }
  }

  async #transition(d: Deployment, verdict: Verdict, now: number): Promise<void> {
    const { store, audit } = this.#options;
    const kind: Transition =
      verdict.outcome === 'fail' ? 'rollback' : d.step === d.steps.length - 1 ? 'promote' : 'step';
    const change = {
      ...changeFor(d, kind, verdict),
      updatedBy: CONTROLLER_ACTOR,
      updatedAt: new Date(now).toISOString(),
    };
    // A rollback applies at any step (the evidence is about the canary version, whatever its
    // weight); an advance only from the step this window measured, so it happens once.
    const applied = await updateDeployment(store, d, change, { anyStep: kind === 'rollback' });
    if (!applied) {
      const fresh = await readDeployment(store, d.model);
      if (fresh === undefined) this.#tracked.delete(d.model);
      else this.#adopt(fresh);
      return;
    }
    this.#adopt({ ...d, ...change });
    bump(this.#counters.transitions, d.model, kind);
    const label = `${d.model} canary v${d.canaryVersion} (stable v${d.stableVersion})`;
    await audit.append({
      actor: { subject: CONTROLLER_ACTOR, type: 'service' },
      action: `deployment.${kind}`,
      resource: { type: 'deployment', id: d.model },
      // A rollback is the gate refusing the canary.
      decision: {
        allowed: kind !== 'rollback',
        reason: `${label}: ${change.reason}`.slice(0, 1024),
      },
    });
  }
}

/** The row after a window's verdict (before stamping who and when). */
function changeFor(d: Deployment, kind: Transition, verdict: Verdict): DeploymentChange {
  const same = unchanged(d);
  switch (kind) {
    case 'rollback':
      return {
        ...same,
        weight: 0,
        state: 'rolled_back',
        reason: `rolled back at ${d.weight}%: ${verdict.reason}`,
      };
    case 'promote':
      return {
        ...same,
        stableVersion: d.canaryVersion,
        weight: 100,
        state: 'promoted',
        reason: `promoted after 100%: ${verdict.reason}`,
      };
    case 'step': {
      const weight = d.steps[d.step + 1] ?? 100;
      return {
        ...same,
        step: d.step + 1,
        weight,
        reason: `${d.weight}% passed, now ${weight}%: ${verdict.reason}`,
      };
    }
  }
}

function unchanged(d: Deployment): DeploymentChange {
  return {
    stableVersion: d.stableVersion,
    step: d.step,
    weight: d.weight,
    state: d.state,
    reason: d.reason,
    updatedBy: d.updatedBy,
    updatedAt: d.updatedAt,
  };
}

function sameStep(a: Deployment, b: Deployment): boolean {
  return (
    a.stableVersion === b.stableVersion &&
    a.canaryVersion === b.canaryVersion &&
    a.state === b.state &&
    a.step === b.step &&
    a.steps.join(',') === b.steps.join(',')
  );
}

function bump(counter: Map<string, Map<string, number>>, model: string, key: string): void {
  let byKey = counter.get(model);
  if (byKey === undefined) {
    byKey = new Map();
    counter.set(model, byKey);
  }
  byKey.set(key, (byKey.get(key) ?? 0) + 1);
}
