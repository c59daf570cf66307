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
