// `npm run bench -- gateway [--quick]`: the latency the inference gateway adds in front of the
// embedded ONNX model server, next to Debian's nginx as a plain reverse proxy in front of the
// same upstream, plus throughput, CPU per request and the cost of refusing a bad API key. The
// upstream, nginx and wrk are separate processes; the gateway runs in this one.
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RampartError } from '../src/core/index.js';
import { outputOf, spawnTracked, stopChild } from './gateway-procs.js';
import { startNginx } from './gateway-nginx.js';
import { seedState } from './gateway-stack.js';
import { median, runWrk, writeWrkScript, type WrkRun } from './gateway-wrk.js';
import { round3, withScratchDir, type BenchResult } from './result.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/demo/', import.meta.url));
const UPSTREAM = fileURLToPath(new URL('./gateway-upstream.js', import.meta.url));
// 20 iris rows × 4 FP32 features: a ~0.5 KB OIP request.
const ROWS = 20;

interface Plan {
  readonly rounds: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
}
const FULL: Plan = { rounds: 3, seconds: 5, warmupSeconds: 2 };
const QUICK: Plan = { rounds: 1, seconds: 2, warmupSeconds: 1 };
// Moderate load: 4 connections, each pausing 4 ms before every request, so at most ~1,000
// requests per second are offered, well under every target's capacity (serving.md §8.3
// measures added latency at ≤ 50 % CPU). Heavy load: a closed loop of 32 connections.
const MODERATE = 4;
const MODERATE_PAUSE_MS = 4;
const HEAVY = 32;

interface Target {
  readonly name:
    | 'upstream'
    | 'nginx'
    | 'gateway'
    | 'gateway_unmonitored'
    | 'gateway_log_only'
    | 'gateway_external'
    | 'floor';
  readonly url: string;
  /** Processes whose CPU time is this target's cost. */
  readonly pids: readonly number[];
}

function progress(message: string): void {
  process.stderr.write(`[bench gateway] ${message}\n`);
}

/** A deterministic ~0.5 KB OIP v2 request: measurements in cm with three decimals. */
function inferBody(): string {
  const data: number[] = [];
  for (let i = 0; i < ROWS * 4; i++)
    data.push(Math.round((0.2 + ((i * 37) % 71) / 10 + ((i * 13) % 9) / 1000) * 1000) / 1000);
  return JSON.stringify({
    inputs: [{ name: 'input', datatype: 'FP32', shape: [ROWS, 4], data }],
  });
}

async function expectStatus(url: string, body: string, bearer: string, status: number) {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body,
  });
  const text = await answer.text();
  if (answer.status !== status) {
    throw new RampartError(
      'RAMPART_INTERNAL',
      `gateway bench: ${url} answered ${String(answer.status)}, expected ${String(status)}: ${text.slice(0, 300)}`,
    );
  }
}

async function load(
  target: Target,
  script: string,
  connections: number,
  seconds: number,
): Promise<WrkRun> {
  const run = await runWrk(target.url, script, { connections, seconds }, target.pids);
  const bad = run.non2xx + run.socketErrors;
  progress(
    `${target.name.padEnd(8)} -c${String(connections).padEnd(3)} ${run.rps.toFixed(0).padStart(6)} req/s` +
      `  p50 ${String(run.p50Us).padStart(5)} µs  p99 ${String(run.p99Us).padStart(6)} µs` +
      `  cpu ${((run.cpuSeconds / run.requests) * 1e6).toFixed(1)} µs/req` +
      (bad > 0
        ? `  (${String(run.non2xx)} non-2xx, ${String(run.socketErrors)} socket errors)`
        : ''),
  );
  return run;
}

/** CPU µs per request of a run. */
function cpuUs(run: WrkRun): number {
  return (run.cpuSeconds / run.requests) * 1e6;
}

/** Runs the gateway benchmark. */
export async function run(): Promise<BenchResult> {
  const plan = process.argv.includes('--quick') ? QUICK : FULL;
  const load1m = loadavg()[0] ?? 0;
  return withScratchDir('gateway', async (dir) => {
    const body = inferBody();
    progress(`request body: ${String(Buffer.byteLength(body))} bytes (${String(ROWS)} rows)`);
    const seeded = await seedState(dir, FIXTURES);
    const modelPath = `/v2/models/demo/versions/${String(seeded.version)}/infer`;
    const upstream = spawnTracked(
      process.execPath,
      [UPSTREAM, `${FIXTURES}iris-classifier.onnx`, 'demo', String(seeded.version)],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let nginx: Awaited<ReturnType<typeof startNginx>> | null = null;
    try {
      const { url: upstreamUrl, floorUrl } = await upstreamUrls(upstream);
      // Each gateway is its own `rampart gateway` process. The default configuration runs the
      // model in the gateway's process (no HTTP hop).
      const gateway = await seeded.startGateway({ name: 'gateway', upstream: null });
      // The same without the inference monitor: its cost is the difference.
      const unmonitored = await seeded.startGateway({
        name: 'gateway_unmonitored',
        upstream: null,
        monitor: false,
      });
      // The inference log alone (summary mode), without extraction detection.
      const logOnly = await seeded.startGateway({
        name: 'gateway_log_only',
        upstream: null,
        extraction: false,
      });
      // The gateway in front of another OIP server (Triton, KServe…): one HTTP hop more.
      const external = await seeded.startGateway({
        name: 'gateway_external',
        upstream: upstreamUrl,
      });
      nginx = await startNginx(dir, upstreamUrl);
      const targets: Target[] = [
        { name: 'upstream', url: upstreamUrl + modelPath, pids: [upstream.pid ?? 0] },
        { name: 'nginx', url: nginx.url + modelPath, pids: [nginx.workerPid] },
        { name: 'gateway', url: gateway.url + modelPath, pids: [gateway.pid] },
        { name: 'gateway_unmonitored', url: unmonitored.url + modelPath, pids: [unmonitored.pid] },
        { name: 'gateway_log_only', url: logOnly.url + modelPath, pids: [logOnly.pid] },
        { name: 'gateway_external', url: external.url + modelPath, pids: [external.pid] },
      ];
      const wrong = `rmp_${'x'.repeat(43)}`;
      for (const target of targets) await expectStatus(target.url, body, seeded.apiKey, 200);
      await expectStatus(gateway.url + modelPath, body, wrong, 401);
      const metadataUrl = gateway.url + modelPath.slice(0, -'/infer'.length);
      const probe = await fetch(metadataUrl, { headers: { authorization: `Bearer ${wrong}` } });
      await probe.arrayBuffer();
      if (probe.status !== 401) {
        throw new RampartError(
          'RAMPART_INTERNAL',
          `gateway bench: GET metadata with a wrong key answered ${String(probe.status)}`,
        );
      }

      // Every target gets the same bytes, Authorization header included.
      const ok = writeWrkScript(dir, 'infer', { body, bearer: seeded.apiKey });
      const paced = writeWrkScript(dir, 'infer-paced', {
        body,
        bearer: seeded.apiKey,
        pauseMs: MODERATE_PAUSE_MS,
      });
      const refused = writeWrkScript(dir, 'wrong-key', { body, bearer: wrong });
      const forged = writeWrkScript(dir, 'forged-keys', { body, freshForgedToken: true });
      const refusedGet = writeWrkScript(dir, 'wrong-key-get', { bearer: wrong });
      progress('warm-up');
      for (const target of targets) await load(target, ok, MODERATE, plan.warmupSeconds);

      const latency = new Map<string, WrkRun[]>(targets.map((t) => [t.name, []]));
      const heavy = new Map<string, WrkRun[]>(targets.map((t) => [t.name, []]));
      for (let round = 1; round <= plan.rounds; round++) {
        progress(`latency round ${String(round)}/${String(plan.rounds)}`);
        for (const t of targets)
          latency.get(t.name)?.push(await load(t, paced, MODERATE, plan.seconds));
      }
      for (let round = 1; round <= plan.rounds; round++) {
        progress(`throughput round ${String(round)}`);
        for (const t of targets) heavy.get(t.name)?.push(await load(t, ok, HEAVY, plan.seconds));
      }
      // Refusals, interleaved with the floor (a bare node:http server answering the same GET
      // with a fixed 401) round by round: the VM's speed drifts by tens of percent between runs.
      const gatewayTarget = targets.find((t) => t.name === 'gateway') as Target;
      const getTarget: Target = { ...gatewayTarget, url: metadataUrl };
      const floorTarget: Target = { name: 'floor', url: floorUrl, pids: [upstream.pid ?? 0] };
      const refusals: Refusals = { infer: [], fresh: [], get: [], floor: [] };
      for (let round = 1; round <= plan.rounds; round++) {
        progress(
          `refusal round ${String(round)}: wrong key on infer, a fresh forged key per infer, ` +
            'wrong key on GET, the floor',
        );
        refusals.infer.push(await load(gatewayTarget, refused, HEAVY, plan.seconds));
        refusals.fresh.push(await load(gatewayTarget, forged, HEAVY, plan.seconds));
        refusals.get.push(await load(getTarget, refusedGet, HEAVY, plan.seconds));
        refusals.floor.push(await load(floorTarget, refusedGet, HEAVY, plan.seconds));
      }
      return summarise({
        latency,
        heavy,
        refusals,
        body,
        load1m,
        nginx: nginx.version,
      });
    } finally {
      await nginx?.stop();
      upstream.stdin?.end();
      await stopChild(upstream);
      await seeded.close();
    }
  });
}

async function upstreamUrls(
  child: ReturnType<typeof spawnTracked>,
): Promise<{ url: string; floorUrl: string }> {
  const stdout = child.stdout;
  if (stdout === null) throw new RampartError('RAMPART_INTERNAL', 'gateway bench: no stdout');
  let text = '';
  for await (const chunk of stdout as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    const end = text.indexOf('\n');
    if (end >= 0) return JSON.parse(text.slice(0, end)) as { url: string; floorUrl: string };
  }
  // The child exited before it printed its address: report why.
  await outputOf(child, 'model server');
  throw new RampartError('RAMPART_INTERNAL', 'gateway bench: the model server printed nothing');
}

/** Refusal runs, one of each per round. */
interface Refusals {
  /** A wrong key on infer (the body is small: discarded unread, the connection kept). */
  readonly infer: WrkRun[];
  /** A fresh forged key on every infer: no refusal cache. */
  readonly fresh: WrkRun[];
  /** A wrong key on GET metadata. */
  readonly get: WrkRun[];
  /** The bare node:http 401 server under the GET refusal load. */
  readonly floor: WrkRun[];
}

interface Measured {
  readonly latency: Map<string, WrkRun[]>;
  readonly heavy: Map<string, WrkRun[]>;
  readonly refusals: Refusals;
  readonly body: string;
  readonly load1m: number;
  readonly nginx: string;
}

function summarise(m: Measured): BenchResult {
  const runs = (map: Map<string, WrkRun[]>, name: string): WrkRun[] => map.get(name) ?? [];
  // Added latency per round (proxy minus upstream in the same round), then the median.
  const added = (name: string, pick: (r: WrkRun) => number): number =>
    median(
      runs(m.latency, name).map((r, i) => pick(r) - pick(runs(m.latency, 'upstream')[i] ?? r)),
    );
  const med = (map: Map<string, WrkRun[]>, name: string, pick: (r: WrkRun) => number): number =>
    median(runs(map, name).map(pick));
  const p50Added = added('gateway', (r) => r.p50Us);
  const p99Added = added('gateway', (r) => r.p99Us);
  const externalP50Added = added('gateway_external', (r) => r.p50Us);
  const externalP99Added = added('gateway_external', (r) => r.p99Us);
  const nginxP50Added = added('nginx', (r) => r.p50Us);
  const nginxP99Added = added('nginx', (r) => r.p99Us);
  const rps = med(m.heavy, 'gateway', (r) => r.rps);
  // wrk shares the two cores with the target, so requests per second say more about that
  // sharing than about the gateway; CPU per request does not. On one saturated core the
  // throughput a feature costs is 1 − (CPU per request without it) / (CPU per request with it),
  // taken per round (both targets ran back to back) and then the median.
  const cpuLossPct = (without: string, withIt: string): number =>
    median(
      runs(m.heavy, withIt).map((r, i) => {
        const base = runs(m.heavy, without)[i] ?? r;
        return (1 - cpuUs(base) / cpuUs(r)) * 100;
      }),
    );
  // The measure: the inference log in summary mode; extraction detection on top of it.
  const monitorOverheadPct = cpuLossPct('gateway_unmonitored', 'gateway_log_only');
  const extractionOverheadPct = cpuLossPct('gateway_unmonitored', 'gateway');
  const nginxRps = med(m.heavy, 'nginx', (r) => r.rps);
  // An in-process gateway runs the model itself: its own cost is its CPU minus the upstream's
  // (the same model behind Node's http) in the same round; then the median.
  const ownCpu = (name: string): number =>
    Math.max(
      1,
      median(
        runs(m.heavy, name).map((r, i) => cpuUs(r) - cpuUs(runs(m.heavy, 'upstream')[i] ?? r)),
      ),
    );
  const upstreamCpu = med(m.heavy, 'upstream', cpuUs);
  const gatewayCpu = ownCpu('gateway');
  // What the goal names: authentication, rate limiting and validation (no monitor).
  const unmonitoredCpu = ownCpu('gateway_unmonitored');
  const externalCpu = med(m.heavy, 'gateway_external', cpuUs);
  const nginxCpu = med(m.heavy, 'nginx', cpuUs);
  const all = [...m.latency.values(), ...m.heavy.values()].flat();
  const refused = m.refusals;
  const failed =
    all.reduce((sum, r) => sum + r.non2xx + r.socketErrors, 0) +
    [...refused.infer, ...refused.fresh, ...refused.get, ...refused.floor].reduce(
      (sum, r) => sum + r.requests - r.non2xx,
      0,
    );
  const rejectUs = median(refused.infer.map(cpuUs));
  const floorUs = median(refused.floor.map(cpuUs));
  // What the gateway adds to Node's own cost of answering, per round, then the median.
  const beyondFloor = (runs: readonly WrkRun[]): number =>
    median(runs.map((r, i) => cpuUs(r) - cpuUs(refused.floor[i] ?? r)));
  const overFloor = (runs: readonly WrkRun[]): number =>
    median(runs.map((r, i) => cpuUs(r) / cpuUs(refused.floor[i] ?? r)));
  const goals = [
    `p50 added ${p50Added.toFixed(0)} µs (goal ≤ 150)`,
    `p99 added ${p99Added.toFixed(0)} µs (goal ≤ 1000)`,
    `${(1e6 / unmonitoredCpu).toFixed(0)} req/s per core with authentication, rate limiting and validation (goal ≥ 8000; ${(1e6 / gatewayCpu).toFixed(0)} with the monitor on too)`,
    `refusal ${rejectUs.toFixed(1)} µs CPU (goal ≤ 50; a bare node:http 401 costs ${floorUs.toFixed(1)})`,
    `monitoring overhead ${monitorOverheadPct.toFixed(1)} % of throughput per core (goal ≤ 5; with extraction detection ${extractionOverheadPct.toFixed(1)} %)`,
  ];
  progress(`goals: ${goals.join('; ')}`);
  if (failed > 0) progress(`WARNING: ${String(failed)} requests did not get the expected answer`);
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : round3(a / b));
  return {
    bench: 'gateway',
    metrics: {
      p50_added_us: round3(p50Added),
      p99_added_us: round3(p99Added),
      rps: round3(rps),
      cpu_us: round3(gatewayCpu),
      rps_per_core: round3(1e6 / gatewayCpu),
      unmonitored_own_cpu_us: round3(unmonitoredCpu),
      unmonitored_rps_per_core: round3(1e6 / unmonitoredCpu),
      reject_us: round3(rejectUs),
      reject_rps: round3(median(refused.infer.map((r) => r.rps))),
      reject_beyond_floor_us: round3(beyondFloor(refused.infer)),
      reject_fresh_us: round3(median(refused.fresh.map(cpuUs))),
      reject_fresh_rps: round3(median(refused.fresh.map((r) => r.rps))),
      reject_keepalive_us: round3(median(refused.get.map(cpuUs))),
      reject_keepalive_rps: round3(median(refused.get.map((r) => r.rps))),
      reject_keepalive_beyond_floor_us: round3(beyondFloor(refused.get)),
      cpu_with_model_us: round3(med(m.heavy, 'gateway', cpuUs)),
      monitor_overhead_pct: round3(monitorOverheadPct),
      monitor_with_extraction_overhead_pct: round3(extractionOverheadPct),
      unmonitored_cpu_us: round3(med(m.heavy, 'gateway_unmonitored', cpuUs)),
      external_p50_added_us: round3(externalP50Added),
      external_p99_added_us: round3(externalP99Added),
      external_rps: round3(med(m.heavy, 'gateway_external', (r) => r.rps)),
      external_cpu_us: round3(externalCpu),
      moderate_rps: round3(med(m.latency, 'gateway', (r) => r.rps)),
      moderate_cpu_pct: round3(med(m.latency, 'gateway', (r) => (r.cpuSeconds / r.seconds) * 100)),
      p50_us: med(m.latency, 'gateway', (r) => r.p50Us),
      p99_us: med(m.latency, 'gateway', (r) => r.p99Us),
      body_bytes: Buffer.byteLength(m.body),
      failed_requests: failed,
      cores: availableParallelism(),
    },
    baseline: {
      upstream_p50_us: med(m.latency, 'upstream', (r) => r.p50Us),
      upstream_p99_us: med(m.latency, 'upstream', (r) => r.p99Us),
      upstream_rps: round3(med(m.heavy, 'upstream', (r) => r.rps)),
      unmonitored_rps: round3(med(m.heavy, 'gateway_unmonitored', (r) => r.rps)),
      upstream_cpu_us: round3(upstreamCpu),
      nginx_p50_added_us: round3(nginxP50Added),
      nginx_p99_added_us: round3(nginxP99Added),
      nginx_rps: round3(nginxRps),
      nginx_cpu_us: round3(nginxCpu),
      node_floor_us: round3(floorUs),
      node_floor_rps: round3(median(refused.floor.map((r) => r.rps))),
      nginx: m.nginx,
      load_1m: round3(m.load1m),
    },
    ratio: {
      p50_added_vs_nginx: ratio(p50Added, nginxP50Added),
      p99_added_vs_nginx: ratio(p99Added, nginxP99Added),
      rps_vs_nginx: ratio(rps, nginxRps),
      cpu_vs_nginx: ratio(gatewayCpu, nginxCpu),
      reject_vs_node_floor: round3(overFloor(refused.infer)),
      reject_keepalive_vs_node_floor: round3(overFloor(refused.get)),
    },
  };
}
