import { readFileSync } from 'node:fs';

/** The package version, read from package.json beside the compiled tree (dist/src/cli → root). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
  const parsed = JSON.parse(text) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}
