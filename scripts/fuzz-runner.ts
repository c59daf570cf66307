// The parent side of the fuzzer: runs one target in a child process, watches it for hangs and
// crashes, and reports every failing input, including the one a dead child left in its journal.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CHILD_FLAG,
  DEADLINE_MS,
  HEARTBEAT_MS,
  readJournal,
  saveInput,
  type ChildJob,
  type ChildMessage,
  type Summary,
} from './fuzz-protocol.js';

/** How long the parent waits for a sign of life from a child before killing it as hung. */
const HANG_MS = 2 * DEADLINE_MS;
/** How long a child may take to load and build its corpus. */
const STARTUP_MS = 30_000;

/** One target to run: the compiled fuzz script to fork and the child's job. */
export interface RunRequest {
  readonly script: string;
  readonly name: string;
  readonly seed: string;
  readonly budgetMs: number;
  readonly iterations: number | undefined;
}

interface Watch {
  hung: boolean;
  started: boolean;
  lastSign: number;
  stderr: string;
}

/** What the parent learns from a child's messages. */
interface Progress {
  readonly summary: Summary;
  done: boolean;
}

function report(name: string, seed: string, iteration: number, reason: string, file: string): void {
  console.log(`FAIL ${name} input #${iteration}: ${reason}`);
  console.log(`  input saved to ${file} (seed ${seed})`);
  console.log(
    `  replay: node dist/scripts/fuzz.js --target ${name} --seed ${seed} --replay ${file}`,
  );
}

/** Reports the input a child died or hung on, read back from its journal. */
function reportDeath(job: ChildJob, why: string, stderr: string): number {
  const { name, seed } = job;
  const { iteration, input } = readJournal(job.scratch);
  const native = stderr
    .split('\n')
    .filter((line) => /assert|error|fatal/i.test(line))
    .slice(0, 3)
    .join(' | ');
  const reason = native === '' ? why : `${why}: ${native}`;
  report(name, seed, iteration, reason, saveInput(name, seed, iteration, input));
  return iteration + 1;
}

/** Keeps the tail of a child's stderr and kills the child once it goes quiet (a hang). */
function watchChild(child: ChildProcess): { readonly watch: Watch; readonly stop: () => void } {
  const watch: Watch = { hung: false, started: false, lastSign: performance.now(), stderr: '' };
  child.stderr?.on('data', (chunk: Buffer) => {
    watch.stderr = (watch.stderr + chunk.toString()).slice(-4000);
  });
  child.on('message', () => {
    [watch.started, watch.lastSign] = [true, performance.now()];
  });
  const timer = setInterval(() => {
    if (performance.now() - watch.lastSign < (watch.started ? HANG_MS : STARTUP_MS)) return;
    watch.hung = true;
    child.kill('SIGKILL');
  }, HEARTBEAT_MS);
  const stop = (): void => {
    clearInterval(timer);
  };
  return { watch, stop };
}

/** Prints the failures a child reports and keeps its latest counts. */
function collect(child: ChildProcess, job: ChildJob): Progress {
  const progress: Progress = { summary: { iterations: 0, accepted: 0, failures: 0 }, done: false };
  const { summary } = progress;
  child.on('message', (message: ChildMessage) => {
    if (message.kind === 'failure')
      report(job.name, job.seed, message.iteration, message.reason, message.file);
    else summary.iterations = message.iterations;
    if (message.kind !== 'done') return;
    [progress.done, summary.accepted, summary.failures] = [
      true,
      message.accepted,
      message.failures,
    ];
  });
  return progress;
}

/** Why a child stopped without a summary: it went quiet, or it exited or was killed. */
function deathReason(hung: boolean, code: number | null, signal: NodeJS.Signals | null): string {
  return hung
    ? `no result after ${HANG_MS} ms: the parser hangs`
    : `the process died (${signal ?? `exit code ${String(code)}`})`;
}

/** Counts a child that stopped without a summary as one failure, at the input it was on. */
function recordDeath(job: ChildJob, progress: Progress, why: string, stderr: string): void {
  const reached = reportDeath(job, why, stderr);
  progress.summary.iterations = Math.max(progress.summary.iterations, reached);
  progress.summary.failures++;
}

/** Runs one target in a child process and collects its summary and failures. */
export function runTarget(request: RunRequest): Promise<Summary> {
  const { script, name, seed, budgetMs, iterations } = request;
  const scratch = mkdtempSync(path.join(tmpdir(), 'rampart-fuzz-'));
  const job: ChildJob = { name, seed, budgetMs, iterations, scratch };
  const child = fork(script, [CHILD_FLAG, JSON.stringify(job)], {
    execArgv: ['--max-old-space-size=1024'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const { watch, stop } = watchChild(child);
  const progress = collect(child, job);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      stop();
      if (!progress.done) {
        recordDeath(job, progress, deathReason(watch.hung, code, signal), watch.stderr);
      }
      rmSync(scratch, { recursive: true, force: true });
      resolve(progress.summary);
    });
  });
}
