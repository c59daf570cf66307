import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../../../testkit/tmp.js';
import { openAuditLog, type AuditLog } from '../../audit/index.js';
import { openState, type State } from '../../state/index.js';
import { CanaryController, CONTROLLER_ACTOR } from './controller.js';
import {
  createDeployment,
  readDeployment,
  updateDeployment,
  type Deployment,
} from './deployments.js';

const CONFIG = { windowMs: 60_000, minSamples: 20, maxErrorRate: 0.05, maxP99Ms: 500 };
const OK = { status: 200, latencyMs: 12, upstreamFailed: false };
const ERROR = { status: 503, latencyMs: 5, upstreamFailed: true };

let state: State;
let log: AuditLog;
let clock = Date.parse('2026-03-01T00:00:00Z');

before(async () => {
  state = await openState({ home: tempDir('rampart-canary-'), env: {} });
  log = (await openAuditLog(state.store, state.layout)).log;
});
after(() => state.close());

function controller(): CanaryController {
  return new CanaryController({ store: state.store, audit: log, config: CONFIG, now: () => clock });
}

async function deploy(model: string, steps = [5, 25, 50, 100]): Promise<void> {
  await createDeployment(state.store, {
    model,
    stableVersion: 1,
    canaryVersion: 2,
    steps,
    step: 0,
    weight: steps[0] ?? 100,
    state: 'running',
    reason: 'started by test',
    updatedBy: 'test',
    updatedAt: new Date(clock).toISOString(),
  });
}

function send(c: CanaryController, model: string, n: number, outcome = OK, version = 2): void {
  for (let i = 0; i < n; i++) c.record(model, version, outcome);
}

/** Moves the clock past one window and evaluates. */
async function endWindow(...controllers: CanaryController[]): Promise<void> {
  clock += CONFIG.windowMs;
  for (const c of controllers) await c.evaluate();
}

async function row(model: string): Promise<Deployment> {
  return (await readDeployment(state.store, model)) as Deployment;
}

/** The controller's audit entries about `model`, oldest first. */
async function transitions(
  model: string,
): Promise<{ action: string; reason: string; allowed: boolean }[]> {
  const entries = await log.entries(0, 10_000);
  return entries
    .filter((e) => e.event.resource.type === 'deployment' && e.event.resource.id === model)
    .map((e) => ({
      action: e.event.action,
      reason: e.event.decision.reason ?? '',
      allowed: e.event.decision.allowed,
    }));
}

describe('canary controller', () => {
  it('advances one step per healthy window and promotes after 100%', async () => {
    await deploy('steady');
    const c = controller();
    await c.refresh();
    assert.deepEqual(c.weight('steady'), { stable: 1, canary: 2, weight: 5 });
    assert.equal(c.weight('unknown'), null);
    for (const next of [25, 50, 100]) {
      send(c, 'steady', 30);
      await endWindow(c);
      assert.equal(c.weight('steady')?.weight, next);
      assert.equal((await row('steady')).weight, next);
    }
    send(c, 'steady', 30);
    await endWindow(c);
    const done = await row('steady');
    assert.equal(done.state, 'promoted');
    assert.equal(done.stableVersion, 2);
    assert.deepEqual(c.weight('steady'), { stable: 2, canary: 2, weight: 100 });
    const audit = await transitions('steady');
    assert.deepEqual(
      audit.map((a) => a.action),
      ['deployment.step', 'deployment.step', 'deployment.step', 'deployment.promote'],
    );
    assert.match(audit[0]?.reason ?? '', /steady canary v2 \(stable v1\): 5% passed, now 25%/);
    const metrics = c.metricsText();
    assert.match(metrics, /^rampart_canary_weight\{model="steady"\} 100$/m);
    assert.match(metrics, /^rampart_canary_state\{model="steady",state="promoted"\} 1$/m);
    assert.match(metrics, /^rampart_canary_state\{model="steady",state="running"\} 0$/m);
    assert.match(
      metrics,
      /^rampart_canary_transitions_total\{model="steady",transition="step"\} 3$/m,
    );
    assert.match(
      metrics,
      /^rampart_canary_transitions_total\{model="steady",transition="promote"\} 1$/m,
    );
  });

  it('does not judge a window before it ends, and counts only the canary version', async () => {
    await deploy('early');
    const c = controller();
    await c.refresh();
    send(c, 'early', 100, ERROR, 1); // the stable version failing is not the canary's problem
    send(c, 'early', 30);
    clock += CONFIG.windowMs - 1;
    await c.evaluate();
    assert.equal((await row('early')).step, 0);
    clock += 1;
    await c.evaluate();
    assert.equal((await row('early')).weight, 25);
  });

  it('rolls an error burst back to 0 within two windows and stays latched under healthy traffic', async () => {
    await deploy('burst');
    const c = controller();
    await c.refresh();
    send(c, 'burst', 30);
    await endWindow(c);
    assert.equal(c.weight('burst')?.weight, 25);
    // The failure starts late in window 1: diluted, it does not breach the gate yet…
    send(c, 'burst', 100);
    send(c, 'burst', 4, ERROR);
    await endWindow(c);
    assert.equal((await row('burst')).state, 'running');
    // …and window 2, fully failing, rolls back.
    send(c, 'burst', 20);
    send(c, 'burst', 20, { status: 500, latencyMs: 8, upstreamFailed: false });
    await endWindow(c);
    const rolled = await row('burst');
    assert.equal(rolled.state, 'rolled_back');
    assert.equal(rolled.weight, 0);
    assert.match(rolled.reason ?? '', /rolled back at 50%: error rate 50\.0%/);
    assert.deepEqual(c.weight('burst'), { stable: 1, canary: 2, weight: 0 });
    for (let i = 0; i < 3; i++) {
      send(c, 'burst', 100);
      await endWindow(c);
      await c.refresh();
    }
    assert.equal((await row('burst')).state, 'rolled_back');
    assert.equal(c.weight('burst')?.weight, 0);
    const audit = await transitions('burst');
    assert.deepEqual(
      audit.map((a) => [a.action, a.allowed]),
      [
        ['deployment.step', true],
        ['deployment.step', true],
        ['deployment.rollback', false],
      ],
    );
    assert.match(
      c.metricsText(),
      /^rampart_canary_transitions_total\{model="burst",transition="rollback"\} 1$/m,
    );
  });

  it('rolls back on p99 latency over the cap', async () => {
    await deploy('slow');
    const c = controller();
    await c.refresh();
    send(c, 'slow', 95);
    send(c, 'slow', 5, { status: 200, latencyMs: 2_000, upstreamFailed: false });
    await endWindow(c);
    const rolled = await row('slow');
    assert.equal(rolled.state, 'rolled_back');
    assert.match(rolled.reason ?? '', /5 of 100 samples took over 500 ms/);
  });

  it('holds the weight on inconclusive windows (too few samples), then advances', async () => {
    await deploy('quiet');
    const c = controller();
    await c.refresh();
    for (let i = 0; i < 3; i++) {
      send(c, 'quiet', 5);
      await endWindow(c);
      assert.equal((await row('quiet')).weight, 5);
    }
    assert.match(
      c.metricsText(),
      /^rampart_canary_windows_total\{model="quiet",outcome="inconclusive"\} 3$/m,
    );
    // Samples of earlier windows do not add up: this window alone has enough.
    send(c, 'quiet', 20);
    await endWindow(c);
    assert.equal((await row('quiet')).weight, 25);
    assert.deepEqual(
      (await transitions('quiet')).map((a) => a.action),
      ['deployment.step'],
    );
  });

  it('two gateway processes on one store never both advance a step', async () => {
    await deploy('shared');
    const a = controller();
    const b = controller();
    await a.refresh();
    await b.refresh();
    send(a, 'shared', 30);
    send(b, 'shared', 30);
    await endWindow(a, b);
    assert.equal((await row('shared')).step, 1);
    assert.equal(b.weight('shared')?.weight, 25);
    assert.deepEqual(
      (await transitions('shared')).map((t) => t.action),
      ['deployment.step'],
    );
    // b now failing rolls back even though a advanced again meanwhile.
    send(a, 'shared', 30);
    send(b, 'shared', 30, ERROR);
    await endWindow(a);
    assert.equal((await row('shared')).weight, 50);
    await b.evaluate();
    const rolled = await row('shared');
    assert.equal(rolled.state, 'rolled_back');
    assert.equal(rolled.updatedBy, CONTROLLER_ACTOR);
    await a.refresh();
    assert.equal(a.weight('shared')?.weight, 0);
  });

  it('follows operator changes from the store: an abort stops canary traffic at the next refresh', async () => {
    await deploy('ops');
    const c = controller();
    await c.refresh();
    const current = await row('ops');
    await updateDeployment(
      state.store,
      current,
      { ...current, weight: 0, state: 'aborted', updatedBy: 'alice' },
      { anyStep: true },
    );
    assert.equal(c.weight('ops')?.weight, 5);
    await c.refresh();
    assert.equal(c.weight('ops')?.weight, 0);
    send(c, 'ops', 30, ERROR);
    await endWindow(c);
    assert.equal((await row('ops')).state, 'aborted');
    await state.store.run("DELETE FROM deployments WHERE model = 'ops'");
    await c.refresh();
    assert.equal(c.weight('ops'), null);
  });
});
