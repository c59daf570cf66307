// wrk as the load generator of the gateway bench: a Lua script per request kind, one run, and
// the run's figures read from a line the script's done() prints (exact µs percentiles).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { RampartError } from '../src/core/index.js';
import { cpuSeconds, outputOf, spawnTracked } from './gateway-procs.js';

/** What one request of a script looks like. */
export interface WrkRequest {
  /** A JSON body to POST; without one, a GET. */
  readonly body?: string;
  /** The Authorization header, if any. */
  readonly bearer?: string;
  /** A different well-formed but unknown token on every request (defeats refusal caching). */
  readonly freshForgedToken?: boolean;
  /**
   * Each connection waits this long before each request (wrk's `delay()`): a moderate offered
   * load rather than a closed loop at full speed, which would keep the target saturated.
   */
  readonly pauseMs?: number;
}

/** One wrk run. */
export interface WrkRun {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
  /** Answers that were not 2xx/3xx. */
  readonly non2xx: number;
  /** Connect, read, write errors and timeouts. */
  readonly socketErrors: number;
  /** CPU seconds the watched processes used during the run. */
  readonly cpuSeconds: number;
}

const MARK = 'WRK-RESULT';

/** Writes a wrk Lua script for `request` into `dir` and returns its path. */
export function writeWrkScript(dir: string, name: string, request: WrkRequest): string {
  const lines =
    request.body === undefined
      ? ['wrk.method = "GET"']
      : [
          'wrk.method = "POST"',
          `wrk.body = ${luaString(request.body)}`,
          'wrk.headers["Content-Type"] = "application/json"',
        ];
  if (request.bearer !== undefined) {
    lines.push(`wrk.headers["Authorization"] = ${luaString(`Bearer ${request.bearer}`)}`);
  }
  if (request.freshForgedToken === true) {
    // rmp_ + 43 base64url characters: passes the format check, so the store is asked every time.
    lines.push(
      'request = function()',
      '  wrk.headers["Authorization"] = string.format("Bearer rmp_forgedforgedforgedforged%08x%07x",',
      '    math.random(0, 0x7fffffff), math.random(0, 0xfffffff))',
      '  return wrk.format()',
      'end',
    );
  }
  if (request.pauseMs !== undefined) {
    lines.push(`delay = function() return ${String(request.pauseMs)} end`);
  }
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    `  io.write(string.format("${MARK} %d %d %d %d %.1f %d %d\\n", summary.requests,`,
    '    summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,',
    '    e.status, e.connect + e.read + e.write + e.timeout))',
    'end',
  );
  const file = path.join(dir, `${name}.lua`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Runs wrk once against `url`, measuring the CPU time of `watch` (pids) meanwhile. */
export async function runWrk(
  url: string,
  script: string,
  load: { readonly connections: number; readonly seconds: number },
  watch: readonly number[],
): Promise<WrkRun> {
  const args = ['-t1', `-c${String(load.connections)}`, `-d${String(load.seconds)}s`];
  const before = watch.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const child = spawnTracked('wrk', [...args, '--latency', '-s', script, url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = await outputOf(child, 'wrk');
  const cpu = watch.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - before;
  const line = output.split('\n').find((l) => l.startsWith(`${MARK} `));
  const [requests, durationUs, p50, p99, mean, non2xx, socketErrors] = (line ?? '')
    .slice(MARK.length + 1)
    .split(' ')
    .map(Number);
  if (requests === undefined || durationUs === undefined || !Number.isFinite(socketErrors)) {
    throw new RampartError('RAMPART_INTERNAL', `gateway bench: no result from wrk: ${output}`);
  }
  const seconds = durationUs / 1e6;
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50Us: p50 ?? 0,
    p99Us: p99 ?? 0,
    meanUs: mean ?? 0,
    non2xx: non2xx ?? 0,
    socketErrors: socketErrors ?? 0,
    cpuSeconds: cpu,
  };
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

// A Lua long bracket string that cannot be closed early by the content.
function luaString(text: string): string {
  let level = '';
  while (text.includes(`]${level}]`)) level += '=';
  return `[${level}[${text}]${level}]`;
}
