/** The clean environment a training command runs in: an allowlist, seeds and dataset paths. */

/** Variables passed through from the caller's environment; nothing else is (no secrets leak). */
export const PASSED_VARIABLES = ['PATH', 'HOME', 'LANG', 'TZ'] as const;

/** A verified dataset handed to the command. */
export interface RunDataset {
  /** The dataset name (without the version). */
  readonly name: string;
  /** The folder or file the version was registered from (and verified at). */
  readonly path: string;
}

/** The variable a dataset's path is handed over in: RAMPART_DATA_<NAME>, upper case, `_` for others. */
export function datasetVariable(name: string): string {
  return `RAMPART_DATA_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The environment of a training command: PATH, HOME, LANG and TZ from the caller (when set),
 * RAMPART_SEED and PYTHONHASHSEED (when a seed is given) and one RAMPART_DATA_<NAME> per dataset.
 */
export function runEnvironment(
  caller: Readonly<Record<string, string | undefined>>,
  options: { readonly seed?: number | undefined; readonly datasets: readonly RunDataset[] },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_VARIABLES) {
    const value = caller[name];
    if (value !== undefined) env[name] = value;
  }
  if (options.seed !== undefined) {
    env.RAMPART_SEED = String(options.seed);
    env.PYTHONHASHSEED = String(options.seed);
  }
  for (const dataset of options.datasets) env[datasetVariable(dataset.name)] = dataset.path;
  return env;
}
