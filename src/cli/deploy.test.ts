import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { rampart } from '../../testkit/cli.js';
import { tempDir } from '../../testkit/tmp.js';
import { openAuditLog } from '../audit/index.js';
import { CanaryController } from '../serving/index.js';
import { openState } from '../state/index.js';

type Body = Record<string, unknown>;

/**
 * A registry where production points at fraud@1, and fraud@2 (healthy), fraud@4 (later
 * tampered with) and fraud@5 (later quarantined) were each approved for production once;
 * fraud@3 never was. alice trains, bob and carol approve, dan deploys, eve audits.
 */
const root = tempDir('rampart-deploy-');

async function world() {
  const home = path.join(root, 'home');
  assert.equal((await rampart(['init', '--home', home])).code, 0);
  const admin = readFileSync(path.join(home, 'admin.token'), 'utf8').trim();
  const as = async (token: string, args: string[]) => {
    const run = await rampart([...args, '--home', home, '--json'], { RAMPART_TOKEN: token });
    return { ...run, body: JSON.parse(run.stdout || '{}') as Body };
  };
  const tokens: Record<string, string> = { admin };
  for (const [name, role] of [
    ['alice', 'ml-engineer'],
    ['bob', 'approver'],
    ['carol', 'security-reviewer'],
    ['dan', 'deployer'],
    ['eve', 'auditor'],
  ] as const) {
    assert.equal((await as(admin, ['principal', 'add', name, '--role', role])).code, 0);
    tokens[name] = (await as(admin, ['token', 'create', '--principal', name])).body.token as string;
  }
  const evidence = path.join(root, 'eval.json');
  writeFileSync(evidence, '{"auc": 0.97}\n');
  for (let v = 1; v <= 5; v++) {
    const folder = path.join(root, `model${v}`);
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'weights.txt'), `weights of version ${v}\n`);
    const reg = await as(tokens.alice as string, ['model', 'register', folder, '--name', 'fraud']);
    assert.equal(reg.body.version, v, reg.stdout);
  }
  const approve = async (version: number) => {
    const asked = await as(tokens.alice as string, [
      ...['model', 'promote', `fraud@${version}`, '--to', 'production', '--evidence', evidence],
    ]);
    const request = asked.body.request as string;
    assert.equal((await as(tokens.bob as string, ['model', 'approve', request])).code, 0);
    const done = await as(tokens.carol as string, ['model', 'approve', request]);
    assert.equal(done.body.moved, true, done.stdout);
  };
  for (const version of [2, 4, 5, 1]) await approve(version);
  return { root, home, tokens, as };
}

type World = Awaited<ReturnType<typeof world>>;

const code = (run: { body: Body }) => (run.body.error as { code: string } | undefined)?.code;
const message = (run: { body: Body }) => (run.body.error as { message: string }).message;

/** Flips a byte of the stored (encrypted) blob of a version's first file. */
async function tamper(w: World, ref: string): Promise<void> {
  const shown = await w.as(w.tokens.eve as string, ['model', 'show', ref]);
  const hex = ((shown.body.files as { digest: string }[])[0]?.digest ?? '').slice(7);
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? walk(full) : [full];
    });
  const file = walk(path.join(w.home, 'blobs')).find(
    (f) => path.basename(f) === hex || path.basename(f).startsWith(hex.slice(2)),
  );
  assert.ok(file !== undefined);
  const bytes = readFileSync(file);
  bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0x01;
  writeFileSync(file, bytes);
}

/** The last audit entry before the tail that reads it. */
async function lastEntry(w: World): Promise<Body> {
  const tail = await w.as(w.tokens.admin as string, ['audit', 'tail', '--count', '2']);
  return ((tail.body.entries as { event: Body }[]).at(-2) as { event: Body }).event;
}

describe('rampart deploy: canary deployments', () => {
  let w: World;
  before(async () => {
    w = await world();
  });

  it('refuses a version never approved for the served alias, and audits the refusal', async () => {
    const run = await w.as(w.tokens.dan as string, ['deploy', 'fraud', '--canary', 'fraud@3']);
    assert.equal(run.code, 1, run.stdout);
    assert.equal(code(run), 'RAMPART_DEPLOYMENT_REFUSED');
    assert.match(message(run), /fraud@3 was never approved for production/);
    const entry = await lastEntry(w);
    assert.equal(entry.action, 'deployment.start');
    assert.equal((entry.decision as Body).allowed, false);
  });

  it('refuses a quarantined version', async () => {
    const q = await w.as(w.tokens.carol as string, [
      ...['model', 'quarantine', 'fraud@5', '--reason', 'poisoned'],
    ]);
    assert.equal(q.code, 0, q.stdout);
    const run = await w.as(w.tokens.dan as string, ['deploy', 'fraud', '--canary', 'fraud@5']);
    assert.equal(run.code, 1);
    assert.equal(code(run), 'RAMPART_MODEL_QUARANTINED');
  });

  it('refuses a version whose stored bytes were altered', async () => {
    await tamper(w, 'fraud@4');
    const run = await w.as(w.tokens.dan as string, ['deploy', 'fraud', '--canary', 'fraud@4']);
    assert.equal(run.code, 1);
    assert.equal(code(run), 'RAMPART_MODEL_INTEGRITY');
    assert.match(message(run), /weights\.txt/);
  });

  it('refuses callers without admin or deployer, bad step lists, other models and bad usage', async () => {
    const alice = await w.as(w.tokens.alice as string, ['deploy', 'fraud', '--canary', 'fraud@2']);
    assert.equal(alice.code, 1);
    assert.equal(code(alice), 'RAMPART_FORBIDDEN');
    const steps = await w.as(w.tokens.dan as string, [
      ...['deploy', 'fraud', '--canary', 'fraud@2', '--steps', '5,25,50'],
    ]);
    assert.equal(steps.code, 2);
    assert.equal(code(steps), 'RAMPART_CANARY_STEPS_INVALID');
    const other = await w.as(w.tokens.dan as string, ['deploy', 'fraud', '--canary', 'spam@2']);
    assert.equal(code(other), 'RAMPART_DEPLOYMENT_REFUSED');
    const none = await w.as(w.tokens.dan as string, ['deploy', 'fraud']);
    assert.equal(none.code, 2);
    assert.equal(code(none), 'RAMPART_USAGE');
    const two = await w.as(w.tokens.dan as string, ['deploy', 'fraud', '--status', '--abort']);
    assert.equal(code(two), 'RAMPART_USAGE');
    const missing = await w.as(w.tokens.eve as string, ['deploy', 'fraud', '--status']);
    assert.equal(missing.code, 2);
    assert.equal(code(missing), 'RAMPART_DEPLOYMENT_NOT_FOUND');
    const noToken = await rampart(['deploy', 'fraud', '--status', '--home', w.home, '--json']);
    assert.equal(noToken.code, 1);
  });

  it('starts an approved, verified canary against the alias version; status, abort', async () => {
    const run = await w.as(w.tokens.dan as string, [
      ...['deploy', 'fraud', '--canary', 'fraud@2', '--steps', '5,25,50,100'],
    ]);
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.body.model, 'fraud');
    assert.equal(run.body.stableVersion, 1);
    assert.equal(run.body.canaryVersion, 2);
    assert.deepEqual(run.body.steps, [5, 25, 50, 100]);
    assert.equal(run.body.weight, 5);
    assert.equal(run.body.state, 'running');
    assert.equal(typeof run.body.auditIndex, 'number');
    const status = await w.as(w.tokens.eve as string, ['deploy', 'fraud', '--status']);
    assert.equal(status.code, 0);
    assert.equal(status.body.weight, 5);
    assert.equal(status.body.alias, 'production');
    const text = await rampart(['deploy', 'fraud', '--status', '--home', w.home], {
      RAMPART_TOKEN: w.tokens.eve as string,
    });
    assert.match(
      text.stdout,
      /fraud \(fraud@production\): running, canary v2 at 5% against stable v1/,
    );
    assert.match(text.stdout, /steps \[5\],25,50,100/);

    const again = await w.as(w.tokens.dan as string, ['deploy', 'fraud', '--canary', 'fraud@2']);
    assert.equal(code(again), 'RAMPART_DEPLOYMENT_REFUSED');
    assert.match(message(again), /is running/);
    const reset = await w.as(w.tokens.dan as string, ['deploy', 'fraud', '--reset']);
    assert.equal(reset.code, 2);
    assert.equal(code(reset), 'RAMPART_DEPLOYMENT_STATE');

    const abort = await w.as(w.tokens.dan as string, [
      ...['deploy', 'fraud', '--abort', '--reason', 'wrong build'],
    ]);
    assert.equal(abort.code, 0, abort.stdout);
    assert.equal(abort.body.state, 'aborted');
    assert.equal(abort.body.weight, 0);
    assert.match(abort.body.reason as string, /aborted by dan: wrong build/);
    const entry = await lastEntry(w);
    assert.equal(entry.action, 'deployment.abort');
    assert.equal((entry.decision as Body).allowed, true);
  });

  it('a rollback latches: no new deployment until --reset', async () => {
    const started = await w.as(w.tokens.dan as string, ['deploy', 'fraud', '--canary', 'fraud@2']);
    assert.equal(started.code, 0, started.stdout);
    assert.deepEqual(started.body.steps, [5, 10, 25, 50, 100]);
    // A gateway process sees the canary fail and rolls it back.
    const state = await openState({ home: w.home, env: {}, create: false });
    try {
      let clock = Date.now();
      const gateway = new CanaryController({
        store: state.store,
        audit: (await openAuditLog(state.store, state.layout)).log,
        config: state.config.gateway.canary,
        now: () => clock,
      });
      await gateway.refresh();
      for (let i = 0; i < 200; i++) {
        gateway.record('fraud', 2, { status: 502, latencyMs: 3, upstreamFailed: true });
      }
      clock += state.config.gateway.canary.windowMs;
      await gateway.evaluate();
    } finally {
      await state.close();
    }
    const status = await w.as(w.tokens.eve as string, ['deploy', 'fraud', '--status']);
    assert.equal(status.body.state, 'rolled_back');
    assert.equal(status.body.weight, 0);
    const blocked = await w.as(w.tokens.dan as string, ['deploy', 'fraud', '--canary', 'fraud@2']);
    assert.equal(code(blocked), 'RAMPART_DEPLOYMENT_REFUSED');
    assert.match(message(blocked), /latched after a rollback/);
    const abort = await w.as(w.tokens.dan as string, ['deploy', 'fraud', '--abort']);
    assert.equal(code(abort), 'RAMPART_DEPLOYMENT_STATE');
    const reset = await w.as(w.tokens.admin as string, ['deploy', 'fraud', '--reset']);
    assert.equal(reset.code, 0, reset.stdout);
    assert.equal(reset.body.state, 'aborted');
    const restarted = await w.as(w.tokens.dan as string, [
      'deploy',
      'fraud',
      '--canary',
      'fraud@2',
    ]);
    assert.equal(restarted.code, 0, restarted.stdout);
  });

  it('maps a served name to its registry model and alias through gateway.models', async () => {
    writeFileSync(
      path.join(w.home, 'rampart.yaml'),
      'gateway:\n  models:\n    - name: fraud-api\n      model: fraud\n      alias: production\n',
    );
    const run = await w.as(w.tokens.dan as string, [
      ...['deploy', 'fraud-api', '--canary', 'fraud@2', '--steps', '100'],
    ]);
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.body.model, 'fraud-api');
    assert.equal(run.body.registryModel, 'fraud');
    assert.equal(run.body.weight, 100);
  });
});
