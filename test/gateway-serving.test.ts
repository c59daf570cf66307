import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { testIdentity, type TestIdentity } from '../testkit/identity.js';
import { tempDir } from '../testkit/tmp.js';
import { createLogger, HashPool } from '../src/core/index.js';
import {
  addPrincipal,
  createCertificateAuthority,
  getPrincipal,
  issueCertificate,
} from '../src/identity/index.js';
import {
  openRegistry,
  quarantineModelVersion,
  registerModel,
  requestPromotion,
  reviewPromotion,
} from '../src/registry/index.js';
import {
  deploymentStatus,
  EmbeddedModelServer,
  seedDemo,
  startDeployment,
  startServing,
} from '../src/serving/index.js';
import type { State } from '../src/state/index.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/demo/${name}`, import.meta.url));
const ROW = {
  inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }],
};
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A state folder with the demo seeded and the gateway serving it. */
async function world(
  canary: Partial<State['config']['gateway']['canary']> = {},
  tls?: { cert: string; key: string; clientCa: string | null },
  upstream: string | null = null,
  monitor: Partial<State['config']['monitor']> = {},
) {
  const home = tempDir();
  const base: TestIdentity = await testIdentity(home);
  const gateway = base.state.config.gateway;
  const state: State = {
    ...base.state,
    config: {
      ...base.state.config,
      gateway: {
        ...gateway,
        authCacheMs: 0,
        refreshMs: 3_600_000,
        models: [{ name: 'demo', model: null, alias: 'production', upstream, rateLimit: null }],
        canary: { ...gateway.canary, windowMs: 200, minSamples: 5, ...canary },
      },
      monitor: { ...base.state.config.monitor, ...monitor },
    },
  };
  const pool = new HashPool({ size: 1 });
  const registry = await openRegistry(state, base.identity, { pool, toolVersion: 'test' });
  const seed = await seedDemo(registry, home, {
    dataset: fixture('iris'),
    trainer: fileURLToPath(new URL('../scripts/demo-model/train.js', import.meta.url)),
    node: process.execPath,
    searchPath: process.env.PATH ?? '',
  });
  const logger = createLogger({ level: 'error', format: 'json', sink: () => undefined });
  const serving = await startServing({
    state,
    identity: base.identity,
    registry,
    logger,
    host: '127.0.0.1',
    port: 0,
    tls,
  });
  cleanups.push(async () => {
    await serving.close();
    await pool.close();
    await base.close();
  });
  const infer = async (key: string) => {
    const res = await fetch(`${serving.url}/v2/models/demo/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(ROW),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { home, base, state, registry, seed, serving, infer };
}

type World = Awaited<ReturnType<typeof world>>;

/** Registers the demo file again as the next version and has it approved for production. */
async function approveNextVersion(w: World): Promise<number> {
  const people = async (name: string) => getPrincipal(w.state.store, name);
  const registered = await registerModel(w.registry, await people('demo-engineer'), {
    path: fixture('iris-classifier.onnx'),
    name: 'demo',
  });
  const request = await requestPromotion(w.registry, await people('demo-engineer'), {
    ref: `demo@${registered.version}`,
    alias: 'production',
    evidence: [{ path: fixture('evaluation.json') }],
  });
  await reviewPromotion(w.registry, await people('demo-approver'), {
    requestId: request.request,
    decision: 'approve',
  });
  await reviewPromotion(w.registry, await people('demo-reviewer'), {
    requestId: request.request,
    decision: 'approve',
  });
  return registered.version;
}

function tamperBlobs(home: string): void {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) =>
      statSync(path.join(dir, n)).isDirectory() ? walk(path.join(dir, n)) : [path.join(dir, n)],
    );
  for (const file of walk(path.join(home, 'blobs', 'enc'))) {
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);
  }
}

describe('the gateway serves only approved, verified versions', () => {
  it('authenticates a client certificate (mTLS) and refuses one from another CA', async () => {
    const ca = await createCertificateAuthority({ name: 'test CA' });
    const other = await createCertificateAuthority({ name: 'other CA' });
    const server = await issueCertificate(ca, { principal: 'gateway', usage: 'server' });
    const w = await world(
      {},
      { cert: server.certificate, key: server.privateKey, clientCa: ca.certificate },
    );
    const client = await issueCertificate(ca, { principal: 'demo-client', usage: 'client' });
    const forged = await issueCertificate(other, { principal: 'demo-client', usage: 'client' });
    const get = (pair: { certificate: string; privateKey: string }) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest(`${w.serving.url}/v2/models/demo`, {
          ca: ca.certificate,
          cert: pair.certificate,
          key: pair.privateKey,
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    assert.match(w.serving.url, /^https:/);
    assert.equal(
      await get(client),
      200,
      'the certificate names demo-client, who holds the metadata grant',
    );
    await assert.rejects(get(forged));
  });

  it('serves the demo to its key, and refuses a caller without a grant (audited)', async () => {
    const w = await world();
    const ok = await w.infer(w.seed.apiKey);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.model_version, '1');
    await addPrincipal(w.state.store, {
      name: 'stranger',
      type: 'human',
      roles: ['auditor'],
      createdBy: 'admin',
      now: new Date(),
    });
    const token = await w.base.person('stranger2', ['ml-engineer']);
    const refused = await w.infer(token);
    assert.equal(refused.status, 403);
    const size = await w.base.identity.audit.size();
    const [entry] = await w.base.identity.audit.entries(size - 1, 1);
    assert.equal((entry?.event as { action: string }).action, 'gateway.infer');
    assert.equal((entry?.event as { actor: { subject: string } }).actor.subject, 'stranger2');
  });

  it('logs every inference as a CloudEvents record without the payload (summary mode)', async () => {
    const w = await world();
    for (let i = 0; i < 3; i++) assert.equal((await w.infer(w.seed.apiKey)).status, 200);
    assert.equal((await w.infer('rmp_wrong')).status, 401);
    await w.serving.close();
    const lines = readFileSync(path.join(w.home, 'monitor', 'inference.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // The refused request never reached a model: three records, one per inference.
    assert.equal(lines.length, 3);
    const [first] = lines as [Record<string, unknown>];
    assert.equal(first.specversion, '1.0');
    assert.equal(first.type, 'dev.rampart.inference.v1');
    assert.equal(first.subject, 'demo@1');
    const data = first.data as Record<string, unknown>;
    assert.deepEqual([data.principal, data.status, data.predicted], ['demo-client', 200, 0]);
    const [input] = data.inputs as Record<string, unknown>[];
    assert.equal(input?.data, undefined, 'summary mode keeps no input values');
    assert.equal((input?.summary as { count: number }).count, 4);
  });

  it('throttles a principal whose queries look like model extraction (PRADA alarm, audited)', async () => {
    const w = await world({}, undefined, null, {
      extraction: { enabled: true, delta: 0.9, throttle: true, throttleSeconds: 600 },
    });
    // A JbDA-like probe (Papernot et al.): a few natural points, then rounds of ±0.1 steps from
    // every known point — the minimum distances of such a stream are far from normal.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const known = [
      [5.1, 3.5, 1.4, 0.2],
      [6.4, 3.2, 4.5, 1.5],
      [6.7, 3.0, 5.2, 2.3],
    ];
    while (known.length < 600) {
      const round = known.length;
      for (let i = 0; i < round && known.length < 600; i++) {
        known.push((known[i] ?? []).map((v) => v + 0.1 * (random() < 0.5 ? 1 : -1)));
      }
    }
    const rows = known.flat();
    const probe = await fetch(`${w.serving.url}/v2/models/demo/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.seed.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [{ name: 'input', datatype: 'FP32', shape: [600, 4], data: rows }],
      }),
    });
    assert.equal(probe.status, 200);
    await probe.body?.cancel();
    let throttled = 0;
    for (let attempt = 0; attempt < 50 && throttled !== 429; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      throttled = (await w.infer(w.seed.apiKey)).status;
    }
    assert.equal(throttled, 429, 'the alarmed key is throttled');
    const metrics = await (await fetch(`${w.serving.url}/metrics`)).text();
    assert.match(metrics, /rampart_monitor_extraction_alarms_total [1-9]/);
    const size = await w.base.identity.audit.size();
    const recent = await w.base.identity.audit.entries(Math.max(0, size - 60), Math.min(60, size));
    assert.ok(
      recent.some((e) => JSON.stringify(e.event).includes('extraction')),
      'the alarm is an audit entry',
    );
  });

  it('compares each window of inputs and outputs with the training data and alerts on drift', async () => {
    const w = await world({}, undefined, null, {
      drift: { enabled: true, windowSeconds: 1, minRows: 50, maxRows: 10_000 },
    });
    const iris = readFileSync(fixture('iris/iris.csv'), 'utf8').trim().split('\n').slice(1);
    const features = iris.map((line) => line.split(',').slice(0, 4).map(Number));
    const send = async (rows: number[][]) => {
      const res = await fetch(`${w.serving.url}/v2/models/demo/infer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${w.seed.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          inputs: [{ name: 'input', datatype: 'FP32', shape: [rows.length, 4], data: rows.flat() }],
        }),
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    };
    const metric = async (name: string) => {
      const text = await (await fetch(`${w.serving.url}/metrics`)).text();
      return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 'NaN');
    };
    const waitFor = async (name: string, value: number) => {
      for (let i = 0; i < 100 && (await metric(name)) < value; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await send(features.slice(0, 1)); // the first request loads the reference
    await new Promise((resolve) => setTimeout(resolve, 300));
    await send(features);
    await waitFor('rampart_monitor_drift_windows_total', 1);
    await waitFor('rampart_monitor_output_drift_windows_total', 1);
    assert.equal(
      await metric('rampart_monitor_drift_alerts_total'),
      0,
      'the training data does not drift',
    );
    assert.equal(
      await metric('rampart_monitor_output_drift_alerts_total'),
      0,
      'the model answers the training data as it did on its training data',
    );
    // Petals 1.7 times longer than anything in training: more flowers look like virginica.
    await send(features.map(([a = 0, b = 0, c = 0, d = 0]) => [a, b, c * 1.7, d * 1.7 + 1]));
    await waitFor('rampart_monitor_drift_windows_total', 2);
    await waitFor('rampart_monitor_output_drift_windows_total', 2);
    assert.equal(await metric('rampart_monitor_drift_alerts_total'), 1);
    assert.equal(await metric('rampart_monitor_output_drift_alerts_total'), 1);
    const size = await w.base.identity.audit.size();
    const recent = await w.base.identity.audit.entries(Math.max(0, size - 20), Math.min(20, size));
    const actions = recent.map((e) => (e.event as { action: string }).action);
    assert.ok(actions.includes('monitor.alert.drift'), 'the input drift is audited');
    assert.ok(actions.includes('monitor.alert.output-drift'), 'the output drift is audited');
  });

  it('refuses a tampered new version and keeps serving the previous one; quarantine stops it', async () => {
    const w = await world();
    const v2 = await approveNextVersion(w);
    tamperBlobs(w.home);
    await w.serving.refresh();
    const still = await w.infer(w.seed.apiKey);
    assert.equal(still.status, 200);
    assert.equal(
      still.body.model_version,
      '1',
      `version ${v2} was tampered with and must not serve`,
    );
    const status = w.serving.served.status()[0];
    assert.deepEqual(status?.loaded, [1]);

    await addPrincipal(w.state.store, {
      name: 'sec',
      type: 'human',
      roles: ['security-reviewer'],
      createdBy: 'admin',
      now: new Date(),
    });
    await quarantineModelVersion(w.registry, await getPrincipal(w.state.store, 'sec'), {
      ref: 'demo@1',
      reason: 'test',
    });
    await w.serving.refresh();
    const stopped = await w.infer(w.seed.apiKey);
    assert.equal(stopped.status, 503);
  });

  it('forwards to another OIP v2 server when one is configured as the upstream', async () => {
    const logger = createLogger({ level: 'error', format: 'json', sink: () => undefined });
    const external = await EmbeddedModelServer.start({ host: '127.0.0.1', port: 0, logger });
    cleanups.push(() => external.close());
    await external.load('demo', '1', readFileSync(fixture('iris-classifier.onnx')));
    const w = await world({}, undefined, external.url);
    const res = await w.infer(w.seed.apiKey);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(w.serving.served.status()[0]?.stable, 1);
    await external.unload('demo', '1');
    const gone = await w.infer(w.seed.apiKey);
    assert.ok(gone.status >= 500, `the upstream no longer has the model: ${gone.status}`);
  });

  it('rolls a failing canary back to 0 % and keeps serving the stable version', async () => {
    // Any latency fails the gate: the canary is unhealthy by construction.
    const w = await world({ maxP99Ms: 0.000001 });
    const v2 = await approveNextVersion(w);
    const deployer = await getPrincipal(w.state.store, 'admin');
    const started = await startDeployment(w.registry, w.state.config.gateway.models, deployer, {
      model: 'demo',
      canary: `demo@${v2}`,
      steps: [100],
    });
    assert.equal(started.stableVersion, 1);
    await w.serving.refresh();
    let canaryServed = 0;
    for (let i = 0; i < 10; i++) {
      const res = await w.infer(w.seed.apiKey);
      assert.equal(res.status, 200);
      if (res.body.model_version === String(v2)) canaryServed++;
    }
    assert.ok(canaryServed > 0, 'the canary took traffic');
    let state = '';
    for (let i = 0; i < 40 && state !== 'rolled_back'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = (await deploymentStatus(w.state.store, 'demo')).state;
    }
    assert.equal(state, 'rolled_back');
    const after = await w.infer(w.seed.apiKey);
    assert.equal(after.body.model_version, '1');
    const metrics = await (await fetch(`${w.serving.url}/metrics`)).text();
    assert.match(metrics, /rampart_canary_weight\{model="demo"\} 0/);
  });
});
