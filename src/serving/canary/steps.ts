import { RampartError } from '../../core/index.js';

/** The step schedule used when none is given (shared/reference/serving.md §8.3). */
export const DEFAULT_STEPS: readonly number[] = [5, 10, 25, 50, 100];

/** At most this many steps (a longer schedule is a typo, not a plan). */
export const MAX_STEPS = 20;

/**
 * Checks a step schedule: 1 to {@link MAX_STEPS} whole percentages, strictly increasing, from at
 * least 1 and ending at 100 (Flagger#189: a schedule that never reaches 100 never promotes).
 * @throws RAMPART_CANARY_STEPS_INVALID
 */
export function checkSteps(steps: readonly number[]): readonly number[] {
  const problem =
    steps.length === 0 || steps.length > MAX_STEPS
      ? `has ${steps.length} steps (1 to ${MAX_STEPS} allowed)`
      : steps.some((s) => !Number.isInteger(s) || s < 1 || s > 100)
        ? 'has a step that is not a whole percentage from 1 to 100'
        : steps.some((s, i) => i > 0 && s <= (steps[i - 1] ?? 0))
          ? 'is not strictly increasing'
          : steps.at(-1) !== 100
            ? 'does not end at 100'
            : null;
  if (problem !== null) {
    throw new RampartError(
      'RAMPART_CANARY_STEPS_INVALID',
      `the step list ${steps.join(',')} ${problem}`,
    );
  }
  return steps;
}

/**
 * Parses `--steps 5,25,50,100`.
 * @throws RAMPART_CANARY_STEPS_INVALID
 */
export function parseSteps(text: string): readonly number[] {
  if (text.length > 200 || !/^\d{1,3}(,\d{1,3})*$/.test(text)) {
    throw new RampartError(
      'RAMPART_CANARY_STEPS_INVALID',
      `--steps ${text.slice(0, 200)} is not a comma-separated list of whole percentages`,
    );
  }
  return checkSteps(text.split(',').map(Number));
}
