import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, resolved from the compiled location dist/testkit/paths.js. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared folder beside the checkout (golden vectors, reference data). */
export const sharedRoot = path.resolve(repoRoot, '..', 'shared');

/** The compiled CLI entry point. */
export const cliPath = path.join(repoRoot, 'dist', 'bundle', 'cli', 'main.js');
