import { migration0001 } from './0001-initial.js';
import type { Migration } from './migration.js';

/** Every migration the code knows, in version order. Append only. */
export const MIGRATIONS: readonly Migration[] = [migration0001];

export { portable } from './migration.js';
export type { Migration } from './migration.js';
