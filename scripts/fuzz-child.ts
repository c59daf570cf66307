// The child side of the fuzzer: one target per process. It mutates inputs, journals each one
// to disk before parsing it, judges it, and reports failures and progress to the parent.
import { closeSync, openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { mutate } from '../testkit/fuzz-mutators.js';
import { Rng } from '../testkit/fuzz-rng.js';
import {
  DEADLINE_MS,
  HEARTBEAT_MS,
  journalPath,
  saveInput,
  writeJournal,
  type ChildJob,
  type ChildMessage,
  type Summary,
} from './fuzz-protocol.js';
import { judge, makeTarget } from './fuzz-targets/index.js';
import type { Target, Verdict } from './fuzz-targets/target.js';

/** Largest input handed to a parser. */
const MAX_INPUT = 256 * 1024;
/** Failures per target whose input is saved and printed; the rest are only counted. */
const MAX_REPORTED = 5;
/** Inputs a parser accepted are kept for further mutation, up to this many per target. */
const MAX_GROWN = 64;

/** One child's state: its target, random source, growing corpus, journal and counts. */
interface Run {
  readonly job: ChildJob;
  readonly target: Target;
  readonly rng: Rng;
  readonly corpus: Buffer[];
  readonly journal: number;
  readonly stats: Summary;
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    process.send?.(message, undefined, {}, () => {
      resolve();
    });
  });
}

/** Why an input fails: the target's rule broke, or it ran past the deadline. */
function failureReason(verdict: Verdict, elapsed: number): string | undefined {
  const slow = elapsed > DEADLINE_MS ? `took ${Math.round(elapsed)} ms` : undefined;
  return typeof verdict === 'object' ? verdict.failure : slow;
}

/** Mutates, journals and judges one input, then counts it, reports it or keeps it. */
async function fuzzOne(run: Run): Promise<void> {
  const { job, target, rng, corpus, stats } = run;
  const input = mutate(corpus, target.mutators, rng, target.maxInput ?? MAX_INPUT);
  writeJournal(run.journal, stats.iterations, input);
  const started = performance.now();
  const verdict = await judge(target, input);
  const reason = failureReason(verdict, performance.now() - started);
  if (reason !== undefined) {
    stats.failures++;
    if (stats.failures <= MAX_REPORTED) {
      const file = saveInput(job.name, job.seed, stats.iterations, input);
      await send({ kind: 'failure', iteration: stats.iterations, reason, file });
    }
  } else if (verdict === 'accepted') {
    stats.accepted++;
    corpus[Math.min(target.corpus.length + rng.int(MAX_GROWN), corpus.length)] = input;
  }
}

/** The child side: mutate, journal, judge, until the budget or the iteration count is spent. */
export async function fuzzChild(job: ChildJob): Promise<void> {
  // Library warnings (yaml's unknown directives) would flood the report; findings are counted.
  process.removeAllListeners('warning');
  const target = await makeTarget(job.name, job.seed, job.scratch);
  const run: Run = {
    job,
    target,
    journal: openSync(journalPath(job.scratch), 'w'),
    rng: new Rng(`${job.seed}/${job.name}/mutations`),
    corpus: [...target.corpus],
    stats: { iterations: 0, accepted: 0, failures: 0 },
  };
  const { stats } = run;
  const stop = Date.now() + job.budgetMs;
  let beat = 0;
  while (job.iterations === undefined ? Date.now() < stop : stats.iterations < job.iterations) {
    await fuzzOne(run);
    stats.iterations++;
    if (performance.now() - beat > HEARTBEAT_MS) {
      beat = performance.now();
      await send({ kind: 'beat', iterations: stats.iterations });
    }
  }
  closeSync(run.journal);
  await send({ kind: 'done', ...stats });
  process.disconnect();
}
