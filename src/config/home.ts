import path from 'node:path';

/** Default state folder, relative to the working directory. */
export const DEFAULT_HOME = '.rampart';

/** Where the state folder and configuration file are, from flags and environment. */
export interface HomeLocation {
  readonly home: string;
  readonly configFile: string | undefined;
}

/** Resolves `--home` / `$RAMPART_HOME` / `./.rampart`, and `--config` / `$RAMPART_CONFIG`. */
export function resolveHome(
  flags: { readonly home?: string | undefined; readonly config?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): HomeLocation {
  const home = path.resolve(cwd, flags.home ?? nonEmpty(env.RAMPART_HOME) ?? DEFAULT_HOME);
  const config = flags.config ?? nonEmpty(env.RAMPART_CONFIG);
  return { home, configFile: config === undefined ? undefined : path.resolve(cwd, config) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
