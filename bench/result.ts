import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The one-line result every benchmark prints last (DESIGN.md, performance rules). */
export interface BenchResult {
  readonly bench: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly baseline: Readonly<Record<string, number | string>>;
  readonly ratio: Readonly<Record<string, number>>;
}

/** Prints the result as the last line of output. */
export function printResult(result: BenchResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Rounds to three decimals for readable reports. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Seconds elapsed while `fn` runs, and its result. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

/**
 * Runs `fn` with a fresh scratch folder that is removed afterwards — also when the run is
 * interrupted with Ctrl-C or SIGTERM, so multi-GB inputs are never left behind.
 */
export async function withScratchDir<T>(name: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), `rampart-bench-${name}-`));
  const cleanup = (): void => {
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(dir);
  } finally {
    cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** Reads every file once so that the measured runs start from a warm page cache. */
export function warmPageCache(files: readonly string[]): void {
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  for (const file of files) {
    const fd = openSync(file, 'r');
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
    closeSync(fd);
  }
}
